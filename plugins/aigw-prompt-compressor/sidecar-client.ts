/**
 * The compressor's side of the inference sidecar: the process's shared gRPC client, failures
 * turned into the reasons the plugin reports (deadline_exceeded, unavailable, resource_exhausted, …).
 */
import { sharedInferenceClient } from '../../lib/inference/shared-client';
import type { CompressAnswer, CompressCall, CompressClient } from './compress-client';

/** Prompts never leave the machine over plaintext gRPC: any other address fails open, always. */
const NOT_LOOPBACK: CompressClient = { compress: async () => ({ ok: false, reason: 'address_not_loopback' }) };

export function sidecarCompressClient(address: string): CompressClient {
  const client = sharedInferenceClient(address);
  if (!client) return NOT_LOOPBACK;
  return {
    async compress(call: CompressCall, deadlineMs: number): Promise<CompressAnswer> {
      const result = await client.compress(call, deadlineMs);
      if (!result.ok) return { ok: false, reason: result.failure.code.toLowerCase() };
      const { segments, originalTokens, compressedTokens } = result.value;
      return { ok: true, segments, originalTokens, compressedTokens };
    },
  };
}
