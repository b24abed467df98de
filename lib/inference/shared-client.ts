/**
 * One inference client per sidecar address for the whole process: every route's config of every
 * plugin in a plugin server shares it. Only loopback or unix addresses: the sidecar speaks
 * plaintext gRPC and receives prompts, so any other address gets no client at all.
 */
import { checkLoopbackAddress } from './address';
import { InferenceClient } from './client';

const clients = new Map<string, InferenceClient>();

export function sharedInferenceClient(address: string): InferenceClient | null {
  try {
    checkLoopbackAddress(address);
  } catch {
    return null;
  }
  let client = clients.get(address);
  if (!client) {
    client = new InferenceClient({ address });
    clients.set(address, client);
    // Loads the proto and connects now, so the first request does not pay for both.
    client.connect();
  }
  return client;
}
