-- The guardrail actions a request went through (lib/guardrails/actions.ts): `detector:action`
-- entries such as `pii:redact`, the answer's marked `response:` (`response:secrets:block`), joined
-- with commas; NULL when no detector acted. Names only, never what matched.
ALTER TABLE aigw_spend_ledger ADD COLUMN guardrail_actions text CHECK (length(guardrail_actions) <= 1024);
ALTER TABLE aigw_request_log ADD COLUMN guardrail_actions text CHECK (length(guardrail_actions) <= 1024);
-- The prompt template the request rendered (as in the ledger since 008), so refusals and requests
-- without a ledger row name it too; NULL for a raw prompt.
ALTER TABLE aigw_request_log ADD COLUMN template_name text CHECK (length(template_name) <= 128);
ALTER TABLE aigw_request_log ADD COLUMN template_version integer CHECK (template_version >= 1);
