#!/usr/bin/env bash
# Runs once, when the PostgreSQL data volume is first initialised (the official image's
# /docker-entrypoint-initdb.d). One instance, two databases, each owned by its own role:
#   kong  - Kong's own database (DB mode: Kong Manager and decK write to it)
#   aigw  - the gateway's state (teams, hashed virtual keys, spend ledger)
# Owning the database lets each role create tables in its `public` schema on PostgreSQL 15,
# where CREATE on public is no longer granted to everyone.
# Passwords are passed as psql variables (:'name'), so psql quotes them.
set -euo pipefail
: "${KONG_PG_PASSWORD:?KONG_PG_PASSWORD is not set}"
: "${AIGW_PG_PASSWORD:?AIGW_PG_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=kong_pw="$KONG_PG_PASSWORD" --set=aigw_pw="$AIGW_PG_PASSWORD" <<'SQL'
CREATE ROLE kong LOGIN PASSWORD :'kong_pw';
CREATE DATABASE kong OWNER kong;
REVOKE ALL ON DATABASE kong FROM PUBLIC;
CREATE ROLE aigw LOGIN PASSWORD :'aigw_pw';
CREATE DATABASE aigw OWNER aigw;
REVOKE ALL ON DATABASE aigw FROM PUBLIC;
SQL
