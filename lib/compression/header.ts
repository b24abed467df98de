/** The `x-aigw-compression` response header: which methods ran and the token counts, no text. */
export const COMPRESSION_HEADER = 'x-aigw-compression';

export function compressionSavingsHeader(methods: string[], originalTokens: number, compressedTokens: number): string {
  return `method=${methods.join(',')}; original=${originalTokens}; compressed=${compressedTokens}`;
}

export function compressionFailedHeader(methods: string[], reason: string): string {
  return `method=${methods.join(',')}; failed=${reason}`;
}
