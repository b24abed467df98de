/** The client's address: Kong's X-Real-IP (only Kong reaches the control API), else the socket's. */
import type { IncomingMessage } from 'node:http';

const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

export function clientIp(req: IncomingMessage): string {
  const real = req.headers['x-real-ip'];
  const value = Array.isArray(real) ? real[0] : real;
  if (value && ADDRESS.test(value.trim())) return value.trim();
  return req.socket.remoteAddress ?? 'unknown';
}
