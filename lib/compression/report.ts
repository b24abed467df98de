/**
 * What aigw-prompt-compressor did to a request, carried in the key plugin's identity to
 * aigw-proxy and from there in the signed plan to the relay, which records the tokens and
 * dollars saved (ledger, metrics). Counts only, never text.
 */
export type CompressionOutcome = 'compressed' | 'failed_open';

export interface CompressionReport {
  /** The methods that ran, e.g. ["question_aware", "structured"]. */
  methods: string[];
  outcome: CompressionOutcome;
  /** o200k tokens of the compressed text before and after (equal when it failed open). */
  originalTokens: number;
  compressedTokens: number;
  /** Why it failed open (deadline_exceeded, unavailable, resource_exhausted, …). */
  reason?: string;
}

/** A report read back from kong.ctx.shared or a plan: only well-formed values count. */
export function restoreCompressionReport(value: unknown): CompressionReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<CompressionReport>;
  const count = (n: unknown): number => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0);
  if (v.outcome !== 'compressed' && v.outcome !== 'failed_open') return undefined;
  const methods = Array.isArray(v.methods) ? v.methods.filter((m): m is string => typeof m === 'string').slice(0, 4) : [];
  return {
    methods,
    outcome: v.outcome,
    originalTokens: count(v.originalTokens),
    compressedTokens: Math.min(count(v.compressedTokens), count(v.originalTokens)),
    ...(typeof v.reason === 'string' ? { reason: v.reason.slice(0, 64) } : {}),
  };
}

/** Tokens the compression removed (0 when it failed open). */
export function tokensSaved(report: CompressionReport | undefined): number {
  return report?.outcome === 'compressed' ? Math.max(0, report.originalTokens - report.compressedTokens) : 0;
}
