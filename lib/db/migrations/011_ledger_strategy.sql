-- Inner calls of a cascade or a reasoning strategy (docs/strategies.md): each is its own row,
-- request_id `<outer request id>:<n>`, linked to the client's request by parent_request_id.
-- strategy: bon, sc, moa, re2, plan, or cascade; strategy_role: what the call was for.
-- The outer request has no row of its own: its cost is the sum of its inner rows.
ALTER TABLE aigw_spend_ledger ADD COLUMN parent_request_id text CHECK (length(parent_request_id) <= 256);
ALTER TABLE aigw_spend_ledger ADD COLUMN strategy text CHECK (length(strategy) <= 32);
ALTER TABLE aigw_spend_ledger ADD COLUMN strategy_role text
  CHECK (strategy_role IN ('candidate', 'judge', 'aggregator', 'proposer', 'cascade_weak', 'cascade_strong', 'final'));
CREATE INDEX aigw_spend_ledger_parent_idx ON aigw_spend_ledger (parent_request_id) WHERE parent_request_id IS NOT NULL;
