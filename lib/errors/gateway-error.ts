/**
 * The one error idiom: every error the gateway itself answers is a GatewayError value (status,
 * message, code, param, headers), returned as a result by the code that decides it and rendered
 * at the edge in the client's own format (errors/client-format.ts). The control API may throw it
 * wrapped in its ApiError; nothing else throws to answer a client.
 */
export interface GatewayError {
  status: number;
  message: string;
  /** Machine-readable, e.g. `budget_exceeded`; null when the status says it all. */
  code: string | null;
  /** The request field at fault, as the client's API names it; null for the request as a whole. */
  param: string | null;
  /** Extra response headers (Retry-After, Allow, x-ratelimit-*). */
  headers: Record<string, string>;
  /**
   * OpenAI's `type` when it is not the status's own: a provider's error relayed with the type it
   * gave (`insufficient_quota`, `requests`). Absent: derived from the status.
   */
  type?: string;
}

export function gatewayError(
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
  headers: Record<string, string> = {},
): GatewayError {
  return { status, message, code, param, headers };
}

/** A value, or the error to answer instead. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: GatewayError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const failed = (error: GatewayError): { ok: false; error: GatewayError } => ({ ok: false, error });
