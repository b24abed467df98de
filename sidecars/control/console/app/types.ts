/** The control API's JSON as the console reads it (snake_case, as the API sends it). */

export interface List<T> {
  object: 'list';
  data: T[];
  total?: number;
  has_more: boolean;
  next_before?: string | null;
}

export interface Session {
  csrf_token: string;
  expires_at: string;
  key: { id: string; alias: string | null; prefix: string };
}

export interface Key {
  id: string;
  key_prefix: string;
  key_alias: string | null;
  team_id: string | null;
  team_name: string | null;
  user_id: string | null;
  role: 'user' | 'admin';
  models: string[];
  model_aliases: Record<string, string>;
  max_budget: number | null;
  budget_duration: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  expires_at: string | null;
  status: string;
  revoked: boolean;
  previous_key_expires_at: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  last_used_at: string | null;
}

/** A key just created or rotated: the only answer that carries the secret. */
export interface KeyWithSecret extends Key {
  key: string;
}

export interface SpendWindow {
  spend: number;
  requests: number;
  budget_window_start: string;
  budget_window_end: string | null;
  window_spend: number;
  window_requests: number;
  remaining_budget: number | null;
}

export interface Team {
  id: string;
  name: string;
  kong_consumer: string | null;
  max_budget: number | null;
  budget_duration: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  models: string[];
  cache_mode: 'on' | 'exact' | 'off';
  cache_ttl_seconds: number | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface SpendTotals {
  requests: number;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  cache_hits: number;
  cache_saved_usd: number;
  compression_saved_usd: number;
}

export interface SpendReport {
  group_by: 'key' | 'team' | 'model' | 'day';
  data: Array<SpendTotals & { key_id?: string; team_id?: string; model?: string; day?: string; key_alias?: string | null; team_name?: string | null }>;
  totals: SpendTotals;
}

export interface Attempt {
  provider: string;
  model: string;
  result: string;
  status: number;
  error_type: string | null;
  ms: number;
}

export interface RequestEntry {
  request_id: string;
  created_at: string;
  key_id: string | null;
  key_alias: string | null;
  team_id: string | null;
  team_name: string | null;
  answered_by: string;
  endpoint: string | null;
  model: string | null;
  provider: string | null;
  provider_model: string | null;
  status: number;
  outcome: string | null;
  error_type: string | null;
  error_code: string | null;
  stream: boolean;
  latency_ms: { first_byte: number | null; total: number | null; provider: number | null; overhead: number | null };
  attempt_count: number;
  attempts: Attempt[];
  cache: string | null;
  compression: string | null;
  guardrail_actions: string | null;
  route?: string | null;
  template: { name: string; version: number | null } | null;
  trace_id: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number; estimated: boolean } | null;
  cost_usd: number | null;
}

export interface CacheCount {
  entries: number;
  hits: number;
  saved_usd: number;
}

export interface CacheStats {
  entries: number;
  teams: Array<CacheCount & { team_id: string }>;
  models: Array<CacheCount & { model: string }>;
  recent_scopes: Array<CacheCount & { scope_id: string }>;
}

export interface PromptTemplate {
  name: string;
  description: string | null;
  latest_version: number;
  labels: Record<string, number>;
  created_at: string;
  updated_at: string;
}

export interface PromptVersion {
  version: number;
  hash: string;
  created_at: string;
  created_by: string | null;
  definition?: unknown;
}

export interface PromptDetail extends PromptTemplate {
  versions: PromptVersion[];
  version: PromptVersion | null;
}

export interface ConsoleConfig {
  kong_manager_url: string | null;
  grafana_url: string | null;
  trace_url_template: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { key_id: string | null; alias: string | null };
  via: 'cli' | 'console';
  action: string;
  target: { type: string | null; id: string | null };
  outcome: string;
  status: number;
  request_id: string | null;
  client_ip: string | null;
  details: Record<string, unknown>;
}

/** Money in new routes: integer nano-USD and the same in dollars. */
export interface Money {
  nano: number;
  usd: number;
}

export interface OverviewTop {
  id: string | null;
  name: string | null;
  spend: Money;
  requests: number;
}

export interface Overview {
  since: string;
  until: string;
  bucket: 'hour' | 'day';
  totals: {
    spend: Money;
    requests: number;
    errors: number;
    error_rate: number | null;
    errors_by_type: Record<string, number>;
    latency_ms: { p50: number | null; p95: number | null };
    cache_savings: Money;
    compression_savings: Money;
  };
  top: { teams: OverviewTop[]; keys: OverviewTop[]; models: OverviewTop[] };
  series: Array<{ at: string; requests: number; errors: number; spend: Money }>;
}

export interface ModelTarget {
  id: string;
  provider: string;
  model: string;
  base_url_host: string | null;
  weight: number | null;
  priority: number | null;
  pricing: {
    input_per_mtok_usd: number | null;
    output_per_mtok_usd: number | null;
    cached_read_per_mtok_usd?: number | null;
    max_output_tokens?: number | null;
    context_window?: number | null;
  } | null;
  health: {
    breaker: string | null;
    open_until: string | null;
    latency_ms: { ttft: number | null; per_token: number | null } | null;
    in_flight: number | null;
    recent: { window_minutes: number; attempts: number; failures: number; error_rate: number | null; p50_ms: number | null; p95_ms: number | null } | null;
  } | null;
}

export interface ModelGroup {
  name: string;
  balancing: string | null;
  fallback_models: string[];
  configured_on: string[];
  targets: ModelTarget[];
}

export interface ModelsList {
  source: string | null;
  health_source: string | null;
  message?: string;
  data: ModelGroup[];
}

export interface GuardrailEvents {
  since: string;
  until: string;
  total: number;
  counts: Array<{ phase: 'request' | 'response'; detector: string; action: string; count: number }>;
  recent: Array<{
    request_id: string;
    created_at: string;
    key_id: string | null;
    key_alias: string | null;
    team_name: string | null;
    model: string | null;
    status: number;
    actions: string[];
  }>;
}
