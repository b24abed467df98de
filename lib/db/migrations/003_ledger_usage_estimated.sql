-- A ledger row whose tokens the gateway counted itself (the provider reported no usage: a stream
-- cut or abandoned mid-answer, or a provider that omits usage) says so.
ALTER TABLE aigw_spend_ledger ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false;
