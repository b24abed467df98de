-- aigw-router's decision for a request that named a router (lib/router/decision.ts, from the
-- signed plan): the router's public name (`auto`), the part of its policy that chose (a rule's or a
-- semantic route's name, `strong`, `weak`, `default`) and why (`difficulty:0.61>=0.55`,
-- `fallback:embedder_unavailable`); NULL for a request that named a model. Names and numbers only,
-- never prompt text.
ALTER TABLE aigw_spend_ledger ADD COLUMN router text CHECK (length(router) <= 64);
ALTER TABLE aigw_spend_ledger ADD COLUMN route text CHECK (length(route) <= 128);
ALTER TABLE aigw_spend_ledger ADD COLUMN route_reason text CHECK (length(route_reason) <= 256);
