/**
 * The compressor's side of the inference sidecar: one gRPC client per address for the whole
 * plugin server (every route's config shares it), failures turned into the reasons the plugin
 * reports (deadline_exceeded, unavailable, resource_exhausted, …).
 */
import { checkLoopbackAddress } from '../../lib/inference/address';
import { InferenceClient } from '../../lib/inference/client';
import type { CompressAnswer, CompressCall, CompressClient } from './compress-client';

const clients = new Map<string, InferenceClient>();

/** Prompts never leave the machine over plaintext gRPC: any other address fails open, always. */
const NOT_LOOPBACK: CompressClient = { compress: async () => ({ ok: false, reason: 'address_not_loopback' }) };

export function sidecarCompressClient(address: string): CompressClient {
  try {
    checkLoopbackAddress(address);
  } catch {
    return NOT_LOOPBACK;
  }
  let client = clients.get(address);
  if (!client) {
    client = new InferenceClient({ address });
    clients.set(address, client);
    client.connect();
  }
  const shared = client;
  return {
    async compress(call: CompressCall, deadlineMs: number): Promise<CompressAnswer> {
      const result = await shared.compress(call, deadlineMs);
      if (!result.ok) return { ok: false, reason: result.failure.code.toLowerCase() };
      const { segments, originalTokens, compressedTokens } = result.value;
      return { ok: true, segments, originalTokens, compressedTokens };
    },
  };
}
