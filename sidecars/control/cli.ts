/**
 * `aigw`: manage keys, teams and spend through the control API (via Kong, with an admin key), or
 * directly in PostgreSQL for the two things that cannot go through it: `admin bootstrap` (there
 * is no admin key yet) and `migrate`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runMigrations } from '../../lib/db/migrate';
import { createPool, databaseUrl, POOL_DEADLINES } from '../../lib/db/pool';
import { REDIS_URL_ENV } from '../../lib/store-env';
import { bootstrapAdmin, invalidateReplaced, writeSecretFile } from './cli/bootstrap';
import { CliError, timeoutFrom } from './cli/client';
import { COMMANDS, type CommandSpec, type Output } from './cli/commands';
import { connectionFrom } from './cli/connection';
import type { Flags } from './cli/flags';

const HELP = `aigw — manage the AI gateway's virtual keys, teams, spend, cache and prompt templates

Usage: aigw <command> [flags] [--json]

Keys
  keys create  [--team TEAM] [--alias A] [--user U] [--role user|admin] [--models a,b]
               [--model-aliases fast=gpt-4o-mini,...] [--max-budget USD] [--budget-duration 30d]
               [--rpm N] [--tpm N] [--parallel N] [--expires 30d|ISO|never] [--metadata JSON]
  keys list    [--team TEAM] [--limit N] [--offset N]
  keys info    ID
  keys update  ID [same flags as create, except --team and --role; "none" clears a number]
  keys rotate  ID [--grace 1h]      new secret; the old one works for the grace period
  keys revoke  ID
  keys delete  ID

Teams (TEAM: a team's name or id, here and in --team)
  teams create NAME [--consumer KONG_CONSUMER] [--models a,b] [--max-budget USD]
               [--budget-duration 30d] [--rpm N] [--tpm N] [--metadata JSON]
               [--cache-mode on|exact|off] [--cache-ttl SECONDS]
               --cache-mode: on = the route's semantic cache as configured, exact = exact
               matches only, off = never read or written; --cache-ttl: how long the team's
               cache entries live (1 to 2592000; default: the route's ttl_seconds)
  teams list   [--limit N] [--offset N]
  teams info   TEAM
  teams update TEAM [--name N] [same flags as create; "none" clears a number, --cache-ttl none
               goes back to the route's TTL]
  teams delete TEAM [--force]       --force revokes the team's keys

Spend
  spend --group-by key|team|model|day [--from ISO] [--to ISO] [--key ID] [--team TEAM]

Request log (newest first; SINCE/UNTIL: an ISO time or a duration back from now, e.g. 1h)
  logs         [--team TEAM] [--key ID|ALIAS] [--model M] [--template NAME] [--status 429|5xx] [--limit N]
               [--error-type caller|policy|provider|gateway|none] [--since SINCE] [--until UNTIL]
  logs ID      one request in detail (ID: the x-kong-request-id the client got)
  logs --follow [same filters]      prints new requests as they are logged, until Ctrl-C

Audit log (every admin change and console login, newest first)
  audit        [--actor ID|ALIAS] [--action key.create|key.*] [--target ID] [--since SINCE] [--until UNTIL]
               [--limit N] [--before ENTRY_ID]

Semantic cache
  cache stats                       entries, hits and dollars saved per team, model and recent scope
  cache purge --team TEAM | --model MODEL | --all

Prompt templates (docs/prompt-templates.md; VERSION: a number or a label)
  prompts create NAME (--file FILE | --system TEXT --user TEXT | --text TEXT)
               [--variables name[:type][=default],...] [--model M] [--description D] [--label L]
               --file: the definition as JSON or YAML; --label points L at version 1
  prompts update NAME [same flags]   saves the next version (--label L points L at it)
  prompts list   [--limit N] [--offset N]
  prompts show   NAME [--version VERSION]
  prompts render NAME [--version VERSION] [--vars name=value,...|JSON]
  prompts label  NAME LABEL VERSION | NAME LABEL --delete   moves a label (every node within a second)
  prompts diff   NAME [--from VERSION] [--to VERSION]

Directly in PostgreSQL (AIGW_DATABASE_URL)
  admin bootstrap [--alias admin] [--out FILE] [--force]
               runs migrations, creates the first admin key and prints it once (with --out:
               writes it to FILE, mode 0600, and prints only its prefix); refuses a second key
               with the same alias unless --force, which replaces it
  migrate      apply pending database migrations

Environment
  AIGW_ADMIN_KEY   an admin key; if unset, the one \`make dev\` wrote (.tmp/dev/admin-key in this checkout)
  AIGW_ADMIN_URL   the gateway (Kong proxy); if unset, where \`make dev\` runs when its key is used
                   (.tmp/dev/admin-url), else http://127.0.0.1:8000
  AIGW_ADMIN_TIMEOUT  seconds one call may take (1 to 3600, default 30)
  AIGW_DATABASE_URL  PostgreSQL, for admin bootstrap and migrate

Durations: 30s, 15m, 1h, 30d, 1w. Errors print the API's message and exit with status 1.`;

/** The repository root: this file is sidecars/control/cli.ts in source and dist/cli/aigw.js when built. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

const LOCAL: Record<string, CommandSpec> = {
  'admin bootstrap': {
    values: ['alias', 'out'],
    booleans: ['force'],
    async run(_c, f) {
      const pool = createPool(databaseUrl(), { deadlines: POOL_DEADLINES.maintenance });
      try {
        const alias = (f.alias as string | undefined) ?? 'admin';
        const result = await bootstrapAdmin(pool, { alias, force: Boolean(f.force) });
        await invalidateReplaced(process.env[REDIS_URL_ENV] || null, result.replaced);
        const info = { id: result.key.id, key_alias: alias, key_prefix: result.key.keyPrefix, role: 'admin', replaced: result.replaced?.id ?? null };
        if (f.out) {
          writeSecretFile(f.out as string, result.raw);
          return {
            json: { ...info, out: f.out },
            human: `admin key ${result.key.keyPrefix}... (alias ${alias}, id ${result.key.id}) written to ${f.out} (mode 0600)`,
          };
        }
        return { json: { key: result.raw, ...info }, human: `admin key: ${result.raw}\nStore this key now: it is shown once and cannot be recovered.` };
      } finally {
        await pool.end();
      }
    },
  },
  migrate: {
    values: [],
    async run() {
      const pool = createPool(databaseUrl(), { deadlines: POOL_DEADLINES.maintenance });
      try {
        const result = await runMigrations(pool);
        const names = result.applied.map((m) => `${m.version}_${m.name}`);
        return {
          json: result,
          human: names.length ? `applied ${names.join(', ')}; schema version ${result.current}` : `up to date (schema version ${result.current})`,
        };
      } finally {
        await pool.end();
      }
    },
  },
};

/** Every command by name; a Map, so words such as `constructor` are not found on Object.prototype. */
const ALL_COMMANDS = new Map<string, CommandSpec>([...Object.entries(COMMANDS), ...Object.entries(LOCAL)]);

/** Finds the command named by the first one or two words. */
function findCommand(words: string[]): { name: string; spec: CommandSpec; rest: string[] } | null {
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    const spec = ALL_COMMANDS.get(name);
    if (spec) return { name, spec, rest: words.slice(n) };
  }
  return null;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const found = findCommand(words);
  if (!found || argv.includes('--help') || argv.includes('-h')) {
    const wanted = argv.length > 0 && !argv.includes('--help') && !argv.includes('-h');
    (wanted ? process.stderr : process.stdout).write(HELP + '\n');
    if (wanted) process.stderr.write(`\nunknown command: ${words.join(' ') || argv.join(' ')}\n`);
    return wanted ? 2 : 0;
  }
  const { spec, name } = found;
  const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'boolean' } };
  for (const v of spec.values) options[v] = { type: 'string' };
  for (const b of spec.booleans ?? []) options[b] = { type: 'boolean' };
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as { values: Flags; positionals: string[] };
  } catch (error) {
    process.stderr.write(`aigw ${name}: ${(error as Error).message}\n`);
    return 2;
  }
  const args = parsed.positionals.slice(name.split(' ').length);
  const required = (spec.positionals ?? []).filter((p) => !p.endsWith('?'));
  if (args.length < required.length || args.length > (spec.positionals ?? []).length) {
    process.stderr.write(`usage: aigw ${name} ${(spec.positionals ?? []).map((p) => p.toUpperCase()).join(' ')} [flags]\n`);
    return 2;
  }
  try {
    const client = { ...connectionFrom(env, REPO_ROOT), timeoutSeconds: timeoutFrom(env) };
    // Ctrl-C ends a --follow cleanly; other commands keep Node's default (exit at once).
    const stop = new AbortController();
    if (parsed.values.follow) process.once('SIGINT', () => stop.abort());
    const io = { write: (text: string) => process.stdout.write(text), signal: stop.signal };
    const out: Output = await spec.run(client, parsed.values, args, io);
    if (!out.streamed) process.stdout.write((parsed.values.json ? JSON.stringify(out.json, null, 2) : out.human) + '\n');
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof CliError ? error.message : (error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // Exit only once stdout is flushed (a pipe may still hold the output), and without waiting for idle keep-alive sockets.
  main(process.argv.slice(2)).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
