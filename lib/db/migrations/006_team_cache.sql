-- A team's semantic cache settings. cache_mode: 'on' = the route's cache as configured, 'exact' =
-- exact matches only, 'off' = the team's requests never read or write the cache.
-- cache_ttl_seconds: how long the team's entries live; NULL = the route's ttl_seconds. At most
-- 30 days (lib/semantic-cache/team-policy.ts MAX_TTL_SECONDS).
ALTER TABLE aigw_teams ADD COLUMN cache_mode text NOT NULL DEFAULT 'on' CHECK (cache_mode IN ('on', 'exact', 'off'));
ALTER TABLE aigw_teams ADD COLUMN cache_ttl_seconds integer CHECK (cache_ttl_seconds BETWEEN 1 AND 2592000);
