/**
 * What the plugin asks of the inference sidecar, and the answers it handles: any failure is a
 * reason to send the original prompt, never an error for the client.
 */
export interface CompressCall {
  method: string;
  segments: string[];
  rate: number;
  targetTokens: number;
  question: string;
  model: string;
  forceTokens: string[];
  forceReserveDigit: boolean;
  dropConsecutive: boolean;
  useContextLevelFilter: boolean;
}

export type CompressAnswer = { ok: true; segments: string[]; originalTokens: number; compressedTokens: number } | { ok: false; reason: string };

export interface CompressClient {
  compress(call: CompressCall, deadlineMs: number): Promise<CompressAnswer>;
}
