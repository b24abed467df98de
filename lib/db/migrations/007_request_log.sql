-- The request log: one row per request the gateway answered for an identified key or relayed:
-- who, which endpoint and model, the target that answered and every attempt, how it ended (status,
-- error_type, error_code), how long it took, and the cache and compression outcomes. Never prompt
-- or completion text. Tokens and cost stay in aigw_spend_ledger (joined on request_id): one copy
-- of each fact. Unlike the ledger, rows are purged after AIGW_REQUEST_LOG_RETENTION_DAYS.
-- No foreign keys, as for the ledger: a row outlives its key and team.
CREATE TABLE aigw_request_log (
  request_id      text PRIMARY KEY CHECK (length(request_id) BETWEEN 1 AND 200),
  -- When the request started (the relay's arrival, or the plugin's refusal).
  created_at      timestamptz NOT NULL,
  key_id          uuid,
  team_id         uuid,
  -- 'relay', or the plugin that answered (a refusal, a cache hit).
  answered_by     text NOT NULL,
  endpoint        text,
  client_format   text,
  -- The public model name the client used; provider and provider_model: the target that answered.
  model           text,
  provider        text,
  provider_model  text,
  -- Each upstream attempt: [{provider, model, result, status, error_type, ms}], at most 16;
  -- attempt_count is how many there were.
  attempts        jsonb NOT NULL DEFAULT '[]',
  attempt_count   integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
  status          integer NOT NULL CHECK (status BETWEEN 100 AND 599),
  -- The relay's outcome (ok, upstream_error, timeout, …); NULL for a plugin's answer.
  outcome         text,
  error_type      text CHECK (error_type IN ('caller', 'policy', 'provider', 'gateway')),
  error_code      text,
  stream          boolean NOT NULL DEFAULT false,
  -- Milliseconds: to the first byte, in all, waiting on providers, and the gateway's own share.
  first_byte_ms   integer,
  duration_ms     integer,
  provider_ms     integer,
  overhead_ms     integer,
  -- Semantic cache: 'exact' or 'semantic' (a hit), 'miss' (looked up, answer stored after), NULL.
  cache           text CHECK (cache IN ('exact', 'semantic', 'miss')),
  -- Prompt compression: 'compressed' or 'failed_open'; NULL when it did not run.
  compression     text,
  -- W3C trace id (32 hex) from the request's traceparent.
  trace_id        text CHECK (trace_id ~ '^[0-9a-f]{32}$')
);
-- Newest first, with the request id as the tie-break of the keyset pagination.
CREATE INDEX aigw_request_log_created_idx ON aigw_request_log (created_at DESC, request_id DESC);
CREATE INDEX aigw_request_log_team_idx ON aigw_request_log (team_id, created_at DESC);
CREATE INDEX aigw_request_log_key_idx ON aigw_request_log (key_id, created_at DESC);
