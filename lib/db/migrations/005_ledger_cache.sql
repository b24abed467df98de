-- A request answered by the semantic cache: which kind of hit, and what the original call cost
-- (the dollars the hit saved). Such a row costs 0 and uses no provider tokens.
ALTER TABLE aigw_spend_ledger ADD COLUMN cache_hit text CHECK (cache_hit IN ('exact', 'semantic'));
ALTER TABLE aigw_spend_ledger ADD COLUMN cache_saved_nano bigint CHECK (cache_saved_nano >= 0);
