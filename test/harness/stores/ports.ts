import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it; a tiny race remains, callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The kernel's range for ports it hands out itself (listen on 0, outgoing connections). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: IANA's dynamic range
  }
  return [49152, 65535];
}

/**
 * `count` different free ports the kernel never hands out by itself, for servers that bind them
 * only later (a `make dev` that builds first): a port from freePort() can meanwhile become
 * another test's listener or an outgoing connection's local port. Below the ephemeral range and
 * above the ports our own defaults use.
 */
export async function freePortsForLater(count: number): Promise<number[]> {
  const [low] = ephemeralRange();
  const from = 20_000;
  const to = Math.max(from + 1000, low);
  const ports = new Set<number>();
  for (let i = 0; ports.size < count && i < 1000; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  if (ports.size < count) throw new Error(`no ${count} free ports between ${from} and ${to}`);
  return [...ports];
}
