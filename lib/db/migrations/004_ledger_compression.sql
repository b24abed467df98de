-- What prompt compression saved on the request: the method(s), the o200k tokens it removed and
-- those tokens at the answering target's input price (NULL when that price is unknown).
ALTER TABLE aigw_spend_ledger ADD COLUMN compression_method text;
ALTER TABLE aigw_spend_ledger ADD COLUMN compression_tokens_saved integer NOT NULL DEFAULT 0 CHECK (compression_tokens_saved >= 0);
ALTER TABLE aigw_spend_ledger ADD COLUMN compression_saved_nano bigint CHECK (compression_saved_nano >= 0);
