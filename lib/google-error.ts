/**
 * Errors in Google's shape, for clients of the Google GenAI API (/v1beta): the google.rpc.Status
 * JSON `{"error":{"code","message","status","details"}}` the @google/genai SDK reads. `code` is
 * the HTTP status, `status` its canonical gRPC name (google.rpc.Code's HTTP mapping); the
 * gateway's own code travels as an ErrorInfo `reason`, in Google's upper snake case.
 */
import type { GatewayError } from './errors/gateway-error';

export interface GoogleErrorDetail {
  '@type': string;
  [field: string]: unknown;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: GoogleErrorDetail[] };
}

/** google.rpc.Code's names, as its HTTP mapping assigns them (google/rpc/code.proto). */
const STATUS_BY_HTTP: ReadonlyMap<number, string> = new Map([
  [400, 'INVALID_ARGUMENT'],
  [401, 'UNAUTHENTICATED'],
  [403, 'PERMISSION_DENIED'],
  [404, 'NOT_FOUND'],
  // No gRPC code means "wrong HTTP method"; Google's front ends answer it as an unimplemented method.
  [405, 'UNIMPLEMENTED'],
  [409, 'ABORTED'],
  [413, 'INVALID_ARGUMENT'],
  [422, 'INVALID_ARGUMENT'],
  [429, 'RESOURCE_EXHAUSTED'],
  [499, 'CANCELLED'],
  [500, 'INTERNAL'],
  [501, 'UNIMPLEMENTED'],
  [502, 'UNAVAILABLE'],
  [503, 'UNAVAILABLE'],
  [504, 'DEADLINE_EXCEEDED'],
]);

/** A provider's own gRPC status (Gemini's), kept when it is one of the canonical names. */
const CANONICAL = new Set([...STATUS_BY_HTTP.values(), 'FAILED_PRECONDITION', 'OUT_OF_RANGE', 'ALREADY_EXISTS', 'DATA_LOSS', 'UNKNOWN']);

export function googleStatus(httpStatus: number, code: string | null = null): string {
  if (code !== null && CANONICAL.has(code)) return code;
  return STATUS_BY_HTTP.get(httpStatus) ?? (httpStatus >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * The error as Google's API words it: the gateway's code (and the field at fault) as ErrorInfo,
 * a Retry-After as RetryInfo (what Google's own 429s carry, and what retrying clients read).
 */
export function googleError(error: GatewayError): GoogleErrorBody {
  const details: GoogleErrorDetail[] = [];
  const reason = error.code && !CANONICAL.has(error.code) ? error.code.toUpperCase() : null;
  if (reason) details.push({ '@type': ERROR_INFO, reason, domain: 'aigw', metadata: error.param ? { param: error.param } : {} });
  const retryAfter = error.headers['retry-after'];
  if (retryAfter && /^\d+$/.test(retryAfter)) details.push({ '@type': RETRY_INFO, retryDelay: `${retryAfter}s` });
  const status = googleStatus(error.status, error.code);
  return { error: { code: error.status, message: error.message, status, ...(details.length > 0 ? { details } : {}) } };
}
