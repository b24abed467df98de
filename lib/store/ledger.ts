/**
 * The spend ledger: one row per billed request, written in batches by the relay, summed by the
 * control API and used to rebuild budget counters after Redis loses them.
 */
import type { Queryable } from './sql';

export interface LedgerRow {
  /** Kong request id; UNIQUE, so a retried batch never bills twice. */
  requestId: string;
  keyId: string | null;
  teamId: string | null;
  userId: string | null;
  /** Public model name the client used. */
  model: string;
  provider: string | null;
  providerModel: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Nano-USD; null when the price is unknown (never 0 for "unknown"). */
  costNano: number | null;
  status: number;
  outcome: string;
  stream: boolean;
  /** The tokens were counted by the gateway (the provider reported no usage). */
  usageEstimated?: boolean;
  /** Prompt compression: method(s), o200k tokens removed, and their price at the target's input rate (null = unknown). */
  compressionMethod?: string | null;
  compressionTokensSaved?: number;
  compressionSavedNano?: number | null;
  /** Answered by the semantic cache: the kind of hit, and what the original call cost (null = unknown). */
  cacheHit?: 'exact' | 'semantic' | null;
  cacheSavedNano?: number | null;
  /** The prompt template the request rendered (aigw-prompt-template), null for a raw prompt. */
  templateName?: string | null;
  templateVersion?: number | null;
  /** What the guardrails did, e.g. `pii:redact,response:secrets:block` (lib/guardrails/actions.ts); null when nothing acted. */
  guardrailActions?: string | null;
  /** aigw-router's decision (lib/router/decision.ts): the router named, the route and why; null when the client named a model. */
  router?: string | null;
  route?: string | null;
  routeReason?: string | null;
  /** An inner call of a cascade or strategy (migration 011): the client's request id, the strategy, and the call's role. */
  parentRequestId?: string | null;
  strategy?: string | null;
  strategyRole?: string | null;
  /** When the request started (Date or epoch ms). */
  createdAt: Date | number;
}

/**
 * One multi-row INSERT (arrays unnested server-side, so any batch size is one statement with 31
 * array parameters). Duplicate request ids, in the table or within the batch, are skipped.
 * Returns how many rows were inserted.
 */
export async function insertLedgerRows(db: Queryable, rows: LedgerRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: LedgerRow) => T): T[] => rows.map(f);
  const { rowCount } = await db.query(
    `INSERT INTO aigw_spend_ledger (request_id, key_id, team_id, user_id, model, provider, provider_model,
       prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_nano, status, outcome, stream, created_at, usage_estimated,
       compression_method, compression_tokens_saved, compression_saved_nano, cache_hit, cache_saved_nano, template_name, template_version,
       guardrail_actions, router, route, route_reason, parent_request_id, strategy, strategy_role)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::int[], $9::int[], $10::int[], $11::int[], $12::bigint[], $13::int[], $14::text[], $15::bool[], $16::timestamptz[], $17::bool[],
       $18::text[], $19::int[], $20::bigint[], $21::text[], $22::bigint[], $23::text[], $24::int[], $25::text[],
       $26::text[], $27::text[], $28::text[], $29::text[], $30::text[], $31::text[])
     ON CONFLICT (request_id) DO NOTHING`,
    [
      col((r) => r.requestId),
      col((r) => r.keyId),
      col((r) => r.teamId),
      col((r) => r.userId),
      col((r) => r.model),
      col((r) => r.provider),
      col((r) => r.providerModel),
      col((r) => r.promptTokens),
      col((r) => r.completionTokens),
      col((r) => r.cachedTokens),
      col((r) => r.reasoningTokens),
      col((r) => (r.costNano === null ? null : Math.round(r.costNano))),
      col((r) => r.status),
      col((r) => r.outcome),
      col((r) => r.stream),
      col((r) => new Date(r.createdAt)),
      col((r) => r.usageEstimated === true),
      col((r) => r.compressionMethod ?? null),
      col((r) => r.compressionTokensSaved ?? 0),
      col((r) => r.compressionSavedNano ?? null),
      col((r) => r.cacheHit ?? null),
      col((r) => r.cacheSavedNano ?? null),
      col((r) => r.templateName ?? null),
      col((r) => r.templateVersion ?? null),
      col((r) => r.guardrailActions ?? null),
      col((r) => r.router ?? null),
      col((r) => r.route ?? null),
      col((r) => r.routeReason ?? null),
      col((r) => r.parentRequestId ?? null),
      col((r) => r.strategy ?? null),
      col((r) => r.strategyRole ?? null),
    ],
  );
  return rowCount ?? 0;
}

export interface SpendSubject {
  kind: 'key' | 'team';
  id: string;
}

const SUBJECT_COLUMN = { key: 'key_id', team: 'team_id' } as const;

/** Known cost (nano-USD) of the subject's requests since `since`; unknown-cost rows add nothing. */
export async function spendSince(db: Queryable, q: SpendSubject & { since: Date }): Promise<number> {
  const { rows } = await db.query(
    `SELECT COALESCE(sum(cost_nano), 0)::text AS nano FROM aigw_spend_ledger WHERE ${SUBJECT_COLUMN[q.kind]} = $1 AND created_at >= $2`,
    [q.id, q.since],
  );
  return Number(rows[0].nano);
}

export interface SpendSummary {
  allTimeNano: number;
  windowNano: number;
  requests: number;
  windowRequests: number;
  costUnknownRequests: number;
}

/** All-time and current-window spend of one key or team, in one scan of its ledger rows. */
export async function spendSummary(db: Queryable, q: SpendSubject & { windowStart: Date }): Promise<SpendSummary> {
  const { rows } = await db.query(
    `SELECT COALESCE(sum(cost_nano), 0)::text AS all_time,
            COALESCE(sum(cost_nano) FILTER (WHERE created_at >= $2), 0)::text AS in_window,
            count(*)::int AS requests,
            count(*) FILTER (WHERE created_at >= $2)::int AS window_requests,
            count(*) FILTER (WHERE cost_nano IS NULL)::int AS unknown
       FROM aigw_spend_ledger WHERE ${SUBJECT_COLUMN[q.kind]} = $1`,
    [q.id, q.windowStart],
  );
  const r = rows[0];
  return {
    allTimeNano: Number(r.all_time),
    windowNano: Number(r.in_window),
    requests: r.requests,
    windowRequests: r.window_requests,
    costUnknownRequests: r.unknown,
  };
}

export type SpendGroup = 'key' | 'team' | 'model' | 'day';

export interface SpendReportRow {
  /** key id, team id or model name; null for rows without a key or team. */
  group: string | null;
  /** key alias or team name where known. */
  label: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costNano: number;
  costUnknownRequests: number;
  /** Prompt tokens compression removed, and what they would have cost (known prices only). */
  compressionTokensSaved: number;
  compressionSavedNano: number;
  /** Requests the semantic cache answered, and what their original calls cost. */
  cacheHits: number;
  cacheSavedNano: number;
}

const GROUP_SQL: Record<SpendGroup, { group: string; label: string; join: string; order?: string }> = {
  key: { group: 'l.key_id::text', label: 'k.key_alias', join: 'LEFT JOIN aigw_keys k ON k.id = l.key_id' },
  team: { group: 'l.team_id::text', label: 't.name', join: 'LEFT JOIN aigw_teams t ON t.id = l.team_id' },
  model: { group: 'l.model', label: 'NULL::text', join: '' },
  // UTC calendar days, oldest first: a history (the console's spend per key and team), not a ranking.
  day: { group: "to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')", label: 'NULL::text', join: '', order: '1' },
};

/** Totals per key, team, model or UTC day over [from, to), optionally for one key and/or team. */
export async function spendReport(
  db: Queryable,
  q: { groupBy: SpendGroup; from: Date; to: Date; keyId?: string | null; teamId?: string | null },
): Promise<SpendReportRow[]> {
  const g = GROUP_SQL[q.groupBy];
  const params: unknown[] = [q.from, q.to];
  const filters = ['l.created_at >= $1', 'l.created_at < $2'];
  if (q.keyId) filters.push(`l.key_id = $${params.push(q.keyId)}`);
  if (q.teamId) filters.push(`l.team_id = $${params.push(q.teamId)}`);
  const { rows } = await db.query(
    `SELECT ${g.group} AS grp, max(${g.label}) AS label, count(*)::int AS requests,
            COALESCE(sum(l.prompt_tokens), 0)::bigint::text AS prompt, COALESCE(sum(l.completion_tokens), 0)::bigint::text AS completion,
            COALESCE(sum(l.cached_tokens), 0)::bigint::text AS cached, COALESCE(sum(l.reasoning_tokens), 0)::bigint::text AS reasoning,
            COALESCE(sum(l.cost_nano), 0)::text AS cost, count(*) FILTER (WHERE l.cost_nano IS NULL)::int AS unknown,
            COALESCE(sum(l.compression_tokens_saved), 0)::bigint::text AS tokens_saved, COALESCE(sum(l.compression_saved_nano), 0)::text AS saved,
            count(*) FILTER (WHERE l.cache_hit IS NOT NULL)::int AS cache_hits, COALESCE(sum(l.cache_saved_nano), 0)::text AS cache_saved
       FROM aigw_spend_ledger l ${g.join}
      WHERE ${filters.join(' AND ')}
      GROUP BY 1 ORDER BY ${g.order ?? 'sum(l.cost_nano) DESC NULLS LAST, 1'}`,
    params,
  );
  return rows.map((r) => ({
    group: r.grp,
    label: r.label,
    requests: r.requests,
    promptTokens: Number(r.prompt),
    completionTokens: Number(r.completion),
    cachedTokens: Number(r.cached),
    reasoningTokens: Number(r.reasoning),
    costNano: Number(r.cost),
    costUnknownRequests: r.unknown,
    compressionTokensSaved: Number(r.tokens_saved),
    compressionSavedNano: Number(r.saved),
    cacheHits: r.cache_hits,
    cacheSavedNano: Number(r.cache_saved),
  }));
}
