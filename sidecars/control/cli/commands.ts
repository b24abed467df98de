/** One function per `aigw` command; each returns the API's JSON and a human rendering of it. */

import { AUDIT_FILTERS, listAudit } from './audit';
import { type AdminClientOptions, apiRequest, CliError } from './client';
import { type Flags, KEY_FLAGS, keyBody, TEAM_FLAGS, teamBody } from './flags';
import { block, table } from './format';
import { type FollowIo, followLogs, LOGS_FILTERS, listLogs, showLog } from './logs';
import { PROMPT_COMMANDS } from './prompts';

type Obj = Record<string, unknown>;
export interface Output {
  json: unknown;
  human: string;
  /** Already written as it came (--follow): nothing left to print. */
  streamed?: boolean;
}

export interface CommandSpec {
  /** Flags taking a value. */
  values: readonly string[];
  /** Flags without a value. */
  booleans?: readonly string[];
  /** Positional arguments, e.g. ["id"]. */
  positionals?: readonly string[];
  run(client: AdminClientOptions, flags: Flags, args: string[], io: FollowIo): Promise<Output>;
}

const enc = encodeURIComponent;
const oneTimeNotice = 'Store this key now: it is shown once and cannot be recovered.';

function listOutput(json: Obj, columns: string[]): Output {
  const data = json.data as Obj[];
  const more = json.has_more ? `\n(${data.length} of ${json.total}; use --offset ${(json.offset as number) + data.length} for more)` : '';
  return { json, human: data.length ? table(data, columns) + more : '(none)' };
}

const KEY_COLUMNS = ['id', 'key_prefix', 'key_alias', 'team_name', 'role', 'status', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'expires_at'];
const TEAM_COLUMNS = ['id', 'name', 'kong_consumer', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'models', 'cache_mode', 'cache_ttl_seconds'];

export const COMMANDS: Record<string, CommandSpec> = {
  'keys create': {
    values: ['team', 'role', ...KEY_FLAGS],
    async run(c, f) {
      const body = { ...keyBody(f), ...(f.team ? { team: f.team } : {}), ...(f.role ? { role: f.role } : {}) };
      const json = (await apiRequest(c, 'POST', '/admin/keys', body)) as Obj;
      const { key, ...info } = json;
      return { json, human: `key: ${key}\n${oneTimeNotice}\n\n${block(info)}` };
    },
  },
  'keys list': {
    values: ['team', 'limit', 'offset'],
    async run(c, f) {
      const q = new URLSearchParams();
      for (const k of ['team', 'limit', 'offset']) if (typeof f[k] === 'string') q.set(k, f[k] as string);
      return listOutput((await apiRequest(c, 'GET', `/admin/keys?${q}`)) as Obj, KEY_COLUMNS);
    },
  },
  'keys info': {
    values: [],
    positionals: ['id'],
    async run(c, _f, [id]) {
      const json = (await apiRequest(c, 'GET', `/admin/keys/${enc(id)}`)) as Obj;
      return { json, human: block(json) };
    },
  },
  'keys update': {
    values: KEY_FLAGS,
    positionals: ['id'],
    async run(c, f, [id]) {
      const body = keyBody(f);
      if (Object.keys(body).length === 0) throw new CliError('Nothing to update: pass at least one flag (see aigw --help)');
      const json = (await apiRequest(c, 'PATCH', `/admin/keys/${enc(id)}`, body)) as Obj;
      return { json, human: block(json) };
    },
  },
  'keys rotate': {
    values: ['grace'],
    positionals: ['id'],
    async run(c, f, [id]) {
      const json = (await apiRequest(c, 'POST', `/admin/keys/${enc(id)}/rotate`, f.grace ? { grace_period: f.grace } : {})) as Obj;
      const grace = json.previous_key_expires_at
        ? `The previous key keeps working until ${json.previous_key_expires_at}.`
        : 'The previous key no longer works.';
      return { json, human: `key: ${json.key}\n${oneTimeNotice}\n${grace}` };
    },
  },
  'keys revoke': {
    values: [],
    positionals: ['id'],
    async run(c, _f, [id]) {
      const json = (await apiRequest(c, 'POST', `/admin/keys/${enc(id)}/revoke`)) as Obj;
      return { json, human: `revoked ${json.id} (${json.key_prefix}...)` };
    },
  },
  'keys delete': {
    values: [],
    positionals: ['id'],
    async run(c, _f, [id]) {
      const json = (await apiRequest(c, 'DELETE', `/admin/keys/${enc(id)}`)) as Obj;
      return { json, human: `deleted key ${json.id}` };
    },
  },
  'teams create': {
    values: ['name', ...TEAM_FLAGS],
    positionals: ['name?'],
    async run(c, f, [name]) {
      const json = (await apiRequest(c, 'POST', '/admin/teams', { ...teamBody(f), ...(name ? { name } : {}) })) as Obj;
      return { json, human: block(json) };
    },
  },
  'teams list': {
    values: ['limit', 'offset'],
    async run(c, f) {
      const q = new URLSearchParams();
      for (const k of ['limit', 'offset']) if (typeof f[k] === 'string') q.set(k, f[k] as string);
      return listOutput((await apiRequest(c, 'GET', `/admin/teams?${q}`)) as Obj, TEAM_COLUMNS);
    },
  },
  'teams info': {
    values: [],
    positionals: ['team'],
    async run(c, _f, [team]) {
      const json = (await apiRequest(c, 'GET', `/admin/teams/${enc(team)}`)) as Obj;
      return { json, human: block(json) };
    },
  },
  'teams update': {
    values: ['name', ...TEAM_FLAGS],
    positionals: ['team'],
    async run(c, f, [team]) {
      const body = teamBody(f);
      if (Object.keys(body).length === 0) throw new CliError('Nothing to update: pass at least one flag (see aigw --help)');
      const json = (await apiRequest(c, 'PATCH', `/admin/teams/${enc(team)}`, body)) as Obj;
      return { json, human: block(json) };
    },
  },
  'teams delete': {
    values: [],
    booleans: ['force'],
    positionals: ['team'],
    async run(c, f, [team]) {
      const json = (await apiRequest(c, 'DELETE', `/admin/teams/${enc(team)}${f.force ? '?force=true' : ''}`)) as Obj;
      const revoked = (json.revoked_keys as string[]).length;
      return { json, human: `deleted team ${json.id}${revoked ? `; revoked ${revoked} key(s)` : ''}` };
    },
  },
  spend: {
    values: ['group-by', 'from', 'to', 'key', 'team'],
    async run(c, f) {
      const q = new URLSearchParams({ group_by: (f['group-by'] as string) ?? 'key' });
      if (f.from) q.set('from', f.from as string);
      if (f.to) q.set('to', f.to as string);
      if (f.key) q.set('key_id', f.key as string);
      if (f.team) q.set('team', f.team as string);
      const json = (await apiRequest(c, 'GET', `/admin/spend?${q}`)) as Obj;
      const group = json.group_by as string;
      const first = group === 'model' || group === 'day' ? group : `${group}_id`;
      const label = group === 'key' ? ['key_alias'] : group === 'team' ? ['team_name'] : [];
      const rows = [...(json.data as Obj[]), { [first]: 'TOTAL', ...(json.totals as Obj) }];
      const human =
        `${json.from} .. ${json.to}\n` +
        table(rows, [
          first,
          ...label,
          'requests',
          'prompt_tokens',
          'completion_tokens',
          'cost_usd',
          'cost_unknown_requests',
          'compression_saved_usd',
          'cache_hits',
          'cache_saved_usd',
        ]);
      return { json, human };
    },
  },
  logs: {
    values: [...LOGS_FILTERS],
    booleans: ['follow'],
    positionals: ['request-id?'],
    async run(c, f, [id], io) {
      if (id) return showLog(c, id);
      if (!f.follow) return listLogs(c, f);
      await followLogs(c, f, io);
      return { json: null, human: '', streamed: true };
    },
  },
  'cache stats': {
    values: [],
    async run(c) {
      const json = (await apiRequest(c, 'GET', '/admin/cache/stats')) as Obj;
      const section = (title: string, rows: Obj[], first: string): string =>
        `${title}\n${rows.length ? table(rows, [first, 'entries', 'hits', 'saved_usd']) : '(none)'}`;
      const human = [`entries: ${json.entries}`, section('by team', json.teams as Obj[], 'team_id'), section('by model', json.models as Obj[], 'model')].join(
        '\n\n',
      );
      return { json, human };
    },
  },
  'cache purge': {
    values: ['team', 'model'],
    booleans: ['all'],
    async run(c, f) {
      const body = { ...(f.team ? { team: f.team } : {}), ...(f.model ? { model: f.model } : {}), ...(f.all ? { all: true } : {}) };
      const json = (await apiRequest(c, 'POST', '/admin/cache/purge', body)) as Obj;
      return { json, human: `purged ${json.purged} cache entr${json.purged === 1 ? 'y' : 'ies'}` };
    },
  },
  audit: {
    values: [...AUDIT_FILTERS],
    run: (c, f) => listAudit(c, f),
  },
  ...PROMPT_COMMANDS,
};
