/**
 * The inference sidecar speaks plaintext gRPC and receives prompts: it binds, and its clients
 * call, only this machine (a loopback host:port or a unix socket).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function checkLoopbackAddress(address: string): string {
  if (address.startsWith('unix:')) {
    if (address.length <= 'unix:'.length) throw new Error('INFERENCE_ADDRESS=unix: needs a socket path');
    return address;
  }
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : '';
  const port = Number(address.slice(colon + 1));
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`INFERENCE_ADDRESS=${address}: the inference sidecar binds only 127.0.0.1, localhost, [::1] or unix:/path`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`INFERENCE_ADDRESS=${address}: bad port`);
  return address;
}
