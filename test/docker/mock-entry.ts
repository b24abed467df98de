/**
 * The mock provider as a compose service (test/docker/compose.e2e.yml): every dialect on one
 * port with a known API key, as `test/harness/mock-provider/main.ts --dialect all` serves them. The mock
 * binds 127.0.0.1 only (a test double has no business on a network), so a TCP forwarder opens
 * it to the compose network: the relay reaches it as http://mock:9001 and the tests through the
 * port compose publishes on the host's loopback. Environment: MOCK_PORT (9001), MOCK_API_KEY.
 */
import { connect, createServer, type Socket } from 'node:net';
import { startMockProviders } from '../harness/mock-provider';

/** Joins two sockets both ways. A close or reset on one side closes the other: a cut stream stays cut. */
function splice(a: Socket, b: Socket): void {
  for (const socket of [a, b]) {
    // Chunks must leave as they are written, or time-to-first-token is fiction.
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
  }
  a.pipe(b);
  b.pipe(a);
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

async function main(): Promise<void> {
  const port = Number(process.env.MOCK_PORT ?? 9001);
  const apiKey = process.env.MOCK_API_KEY || undefined;
  const mock = await startMockProviders({ port: 0, apiKey });
  const inner = Number(new URL(mock.url).port);
  const forwarder = createServer((client) => splice(client, connect(inner, '127.0.0.1')));
  await new Promise<void>((resolve, reject) => {
    forwarder.once('error', reject);
    forwarder.listen(port, '0.0.0.0', () => resolve());
  });
  console.log(`mock-providers ready on 0.0.0.0:${port} (every dialect, ${apiKey ? 'API key required' : 'no API key'}) -> ${mock.url}`);
  const stop = (): void => {
    forwarder.close();
    void mock.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
