-- The audit log: one row per change an admin asked of the control API (every non-GET /admin
-- request that authenticated, done or refused) and per console login, failed login and logout.
-- Who (the admin key's id and alias at the time), through what (`cli`: an admin key through Kong;
-- `console`: a session cookie), what (`key.create`, `session.login`, ...), on what, how it ended.
-- details holds names and ids only: never a key, a secret or a request body's values.
-- No foreign keys: a row outlives the key that acted.
CREATE TABLE aigw_audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_key_id  uuid,
  actor_alias   text CHECK (length(actor_alias) <= 256),
  via           text NOT NULL CHECK (via IN ('cli', 'console')),
  action        text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  target_type   text CHECK (length(target_type) <= 64),
  target_id     text CHECK (length(target_id) <= 256),
  -- 'ok', or why it was refused: the answer's error code (`csrf_failed`, `key_not_found`, ...).
  outcome       text NOT NULL CHECK (length(outcome) BETWEEN 1 AND 64),
  status        integer NOT NULL CHECK (status BETWEEN 100 AND 599),
  request_id    text CHECK (length(request_id) <= 200),
  client_ip     text CHECK (length(client_ip) <= 64),
  details       jsonb NOT NULL DEFAULT '{}' CHECK (length(details::text) <= 4096)
);
-- Newest first, paged by id (GET /admin/audit); by actor, by action, by target.
CREATE INDEX aigw_audit_log_at_idx ON aigw_audit_log (at DESC, id DESC);
CREATE INDEX aigw_audit_log_actor_idx ON aigw_audit_log (actor_key_id, id DESC);
CREATE INDEX aigw_audit_log_action_idx ON aigw_audit_log (action, id DESC);
CREATE INDEX aigw_audit_log_target_idx ON aigw_audit_log (target_id, id DESC);
