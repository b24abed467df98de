// A TCP forwarder in front of a test server (Redis, PostgreSQL) that the test can shut: close()
// refuses new connections and cuts open ones, as a server going away does for its clients, while
// the server itself (and the test's own direct connections) carry on; open() listens again on the
// same port, as the server coming back.

import net from 'node:net';

export interface TcpGate {
  port: number;
  /** Refuse connections and cut the open ones. */
  close(): Promise<void>;
  /** Accept connections again, on the same port. */
  open(): Promise<void>;
  /** close(), for good. */
  stop(): Promise<void>;
}

export async function startTcpGate(targetPort: number, host = '127.0.0.1'): Promise<TcpGate> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { port, close, open: () => listen(port), stop: close };
}
