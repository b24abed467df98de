-- Teams (tenants), hashed virtual keys and the spend ledger. Money is integer nano-USD.

CREATE TABLE aigw_teams (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  -- Kong consumer (username or id) this team's requests authenticate as; one team per consumer.
  kong_consumer   text UNIQUE,
  max_budget_nano bigint CHECK (max_budget_nano >= 0),
  budget_duration text,
  -- Budget windows are counted from here (creation, or the last budget change).
  budget_anchor   timestamptz NOT NULL DEFAULT now(),
  rpm_limit       integer CHECK (rpm_limit >= 0),
  tpm_limit       integer CHECK (tpm_limit >= 0),
  allowed_models  text[] NOT NULL DEFAULT '{}',
  metadata        jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aigw_keys (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- SHA-256 hex of the secret; the secret itself is never stored.
  key_hash                char(64) NOT NULL UNIQUE,
  key_prefix              text NOT NULL,
  -- After a rotation with a grace period the previous secret works until previous_expires_at.
  previous_key_hash       char(64) UNIQUE,
  previous_expires_at     timestamptz,
  key_alias               text UNIQUE,
  team_id                 uuid REFERENCES aigw_teams (id) ON DELETE RESTRICT,
  user_id                 text,
  role                    text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  allowed_models          text[] NOT NULL DEFAULT '{}',
  model_aliases           jsonb NOT NULL DEFAULT '{}',
  max_budget_nano         bigint CHECK (max_budget_nano >= 0),
  budget_duration         text,
  budget_anchor           timestamptz NOT NULL DEFAULT now(),
  rpm_limit               integer CHECK (rpm_limit >= 0),
  tpm_limit               integer CHECK (tpm_limit >= 0),
  max_parallel_requests   integer CHECK (max_parallel_requests >= 0),
  expires_at              timestamptz,
  revoked                 boolean NOT NULL DEFAULT false,
  revoked_at              timestamptz,
  metadata                jsonb NOT NULL DEFAULT '{}',
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  last_used_at            timestamptz,
  CHECK ((previous_key_hash IS NULL) = (previous_expires_at IS NULL))
);
CREATE INDEX aigw_keys_team_idx ON aigw_keys (team_id);

-- One row per billed request. No foreign keys: history outlives deleted keys and teams, and a
-- batch from the relay must never fail because a key was deleted meanwhile.
CREATE TABLE aigw_spend_ledger (
  id                bigserial PRIMARY KEY,
  request_id        text NOT NULL UNIQUE,
  key_id            uuid,
  team_id           uuid,
  user_id           text,
  model             text NOT NULL,
  provider          text,
  provider_model    text,
  prompt_tokens     integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  cached_tokens     integer NOT NULL DEFAULT 0,
  reasoning_tokens  integer NOT NULL DEFAULT 0,
  -- NULL when the price is unknown: never 0, so unknown cost cannot pass for free.
  cost_nano         bigint CHECK (cost_nano >= 0),
  status            integer NOT NULL,
  outcome           text NOT NULL,
  stream            boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX aigw_spend_ledger_key_time_idx ON aigw_spend_ledger (key_id, created_at);
CREATE INDEX aigw_spend_ledger_team_time_idx ON aigw_spend_ledger (team_id, created_at);
CREATE INDEX aigw_spend_ledger_time_idx ON aigw_spend_ledger (created_at);
