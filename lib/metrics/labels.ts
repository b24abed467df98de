/**
 * Label values every process computes the same way, so one series from several processes can be
 * summed: who (team, key), what (route, model) and how it ended (error_type). Every value comes
 * from configuration or a fixed set, never from a request's free text (docs/observability.md).
 */
import { endpointOf } from '../endpoints';
import { type ClientFormatName, clientFormatOf } from '../errors';
import { errorTypeOf } from '../observability/error-type';

export const METRICS_KEY_LABEL_ENV = 'AIGW_METRICS_KEY_LABEL';

/** What the `key` label holds: nothing (the default: thousands of keys would be thousands of series), the key's alias or its id. */
export type KeyLabelMode = 'off' | 'alias' | 'id';

export function keyLabelMode(env: NodeJS.ProcessEnv = process.env): KeyLabelMode {
  const value = env[METRICS_KEY_LABEL_ENV]?.trim().toLowerCase();
  return value === 'alias' || value === 'id' ? value : 'off';
}

/** Who a request is, as much of it as the metrics may show. */
export interface Subject {
  teamName: string | null;
  keyId: string | null;
  keyAlias: string | null;
}

export const NO_SUBJECT: Subject = { teamName: null, keyId: null, keyAlias: null };

/** `team` and `key` labels: the team's name ("" without a team); the key only when configured. */
export function subjectLabels(subject: Subject, mode: KeyLabelMode): { team: string; key: string } {
  const key = mode === 'alias' ? (subject.keyAlias ?? '') : mode === 'id' ? (subject.keyId ?? '') : '';
  return { team: subject.teamName ?? '', key };
}

/** A model name as a label: one of the configured names, else "unknown". */
export function modelLabel(name: string | null | undefined, configured: ReadonlySet<string>): string {
  return name && configured.has(name) ? name : 'unknown';
}

/** What a path is, for the `route` and `endpoint` labels: its endpoint, the model listing, the control API, or "other". */
export function routeOfPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const endpoint = endpointOf(trimmed);
  if (endpoint) return endpoint;
  if (trimmed === '/admin' || trimmed.startsWith('/admin/')) return 'admin';
  if (trimmed === '/v1/models' || trimmed.startsWith('/v1/models/') || trimmed.startsWith('/v1beta/models')) return 'models';
  return 'other';
}

/** The labels of `aigw_requests_total` for a request a plugin answered itself. */
export interface PluginAnswer {
  path: string;
  status: number;
  /** The answer's machine-readable code (a GatewayError's), null for a success. */
  code: string | null;
  model?: string;
  stream?: boolean | null;
  subject?: Subject;
}

export interface RequestLabels {
  answered_by: string;
  route: string;
  endpoint: string;
  client_format: ClientFormatName;
  model: string;
  provider: string;
  status: string;
  error_type: string;
  stream: string;
  team: string;
  key: string;
}

export function pluginAnswerLabels(plugin: string, answer: PluginAnswer, mode: KeyLabelMode): RequestLabels {
  const route = routeOfPath(answer.path);
  return {
    answered_by: plugin,
    route,
    endpoint: route,
    client_format: clientFormatOf(answer.path),
    model: answer.model ?? 'unknown',
    provider: '',
    status: String(answer.status),
    error_type: errorTypeOf(answer.status, answer.code) ?? '',
    stream: answer.stream === undefined || answer.stream === null ? '' : String(answer.stream),
    ...subjectLabels(answer.subject ?? NO_SUBJECT, mode),
  };
}
