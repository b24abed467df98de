-- Bounds the control API now enforces, for rows written before it did. Earlier versions accepted
-- budgets up to $1e9 and durations and expiries JavaScript cannot count with; every request of
-- such a key or team then failed (503) instead of being refused at the API. Out-of-range rows are
-- clamped to the limit, then CHECK constraints keep them there.
--   max_budget_nano  <= 1e15 nano-USD ($1,000,000; lib/identity.ts MAX_BUDGET_NANO)
--   budget_duration  <= 36500d (lib/limits/windows.ts MAX_DURATION)
--   expires_at       <= 9999-12-31T23:59:59.999Z (the latest time the API accepts; JavaScript
--                       Dates end in year 275760, PostgreSQL's timestamptz in 294276)

-- Milliseconds of a duration such as '30d' (lib/limits/windows.ts parseDuration); NULL for any
-- other text, which the constraints below then leave alone.
CREATE FUNCTION aigw_duration_ms(duration text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT substring(duration FROM '^([1-9][0-9]*)[smhdw]$')::numeric * CASE right(duration, 1)
    WHEN 's' THEN 1000 WHEN 'm' THEN 60000 WHEN 'h' THEN 3600000 WHEN 'd' THEN 86400000 WHEN 'w' THEN 604800000 END
$$;

UPDATE aigw_teams SET max_budget_nano = 1000000000000000, updated_at = now() WHERE max_budget_nano > 1000000000000000;
UPDATE aigw_keys SET max_budget_nano = 1000000000000000, updated_at = now() WHERE max_budget_nano > 1000000000000000;
UPDATE aigw_teams SET budget_duration = '36500d', updated_at = now() WHERE aigw_duration_ms(budget_duration) > 3153600000000;
UPDATE aigw_keys SET budget_duration = '36500d', updated_at = now() WHERE aigw_duration_ms(budget_duration) > 3153600000000;
UPDATE aigw_keys SET expires_at = '9999-12-31T23:59:59.999Z', updated_at = now() WHERE expires_at > '9999-12-31T23:59:59.999Z';

ALTER TABLE aigw_teams
  ADD CONSTRAINT aigw_teams_max_budget_limit CHECK (max_budget_nano <= 1000000000000000),
  ADD CONSTRAINT aigw_teams_budget_duration_limit CHECK (aigw_duration_ms(budget_duration) <= 3153600000000);
ALTER TABLE aigw_keys
  ADD CONSTRAINT aigw_keys_max_budget_limit CHECK (max_budget_nano <= 1000000000000000),
  ADD CONSTRAINT aigw_keys_budget_duration_limit CHECK (aigw_duration_ms(budget_duration) <= 3153600000000),
  ADD CONSTRAINT aigw_keys_expires_at_limit CHECK (expires_at <= '9999-12-31T23:59:59.999Z');
