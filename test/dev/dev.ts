/** `make dev`: the gateway on this machine, no Docker; Ctrl-C stops everything. */
import { startDevStack } from './stack';

async function main(): Promise<void> {
  const stack = await startDevStack({
    ingressPort: Number(process.env.AIGW_DEV_PORT ?? 8000),
    relayPort: Number(process.env.RELAY_PORT ?? 8787),
    mockPort: Number(process.env.AIGW_DEV_MOCK_PORT ?? 9001),
  });
  const lines = Object.entries(stack.routing).map(([model, via]) => `    ${model.padEnd(24)} -> ${via === 'mock' ? 'mock provider (no key in the environment)' : via}`);
  process.stdout.write(
    [
      `AI gateway ready on ${stack.url} (Kong test ingress + plugin servers + relay on ${stack.relay.url})`,
      '  models:',
      ...lines,
      '  try:',
      `    curl -sN ${stack.url}/v1/chat/completions -H 'content-type: application/json' \\`,
      `      -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stack.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`make dev failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
