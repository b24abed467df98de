/** `make dev`: the gateway on this machine, no Docker; Ctrl-C stops everything. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './sidecar-process';
import { startDevStack } from './stack';

/** Where the CLI looks for the admin key by default (sidecars/control/cli). */
const DEV_DIR = join(REPO_ROOT, '.tmp', 'dev');

function writeSecret(name: string, secret: string): string {
  mkdirSync(DEV_DIR, { recursive: true });
  const file = join(DEV_DIR, name);
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

async function main(): Promise<void> {
  const stack = await startDevStack({
    ingressPort: Number(process.env.AIGW_DEV_PORT ?? 8000),
    relayPort: Number(process.env.RELAY_PORT ?? 8787),
    controlPort: Number(process.env.CONTROL_PORT ?? 8788),
    mockPort: Number(process.env.AIGW_DEV_MOCK_PORT ?? 9001),
  });
  const adminKeyFile = writeSecret('admin-key', stack.adminKey);
  const userKey = await stack.admin('POST', '/admin/keys', { key_alias: 'dev-user', metadata: { created_by: 'make dev' } });
  if (userKey.status !== 201) throw new Error(`could not create the dev user key: ${JSON.stringify(userKey.body)}`);
  const userKeyFile = writeSecret('user-key', userKey.body.key as string);
  const lines = Object.entries(stack.routing).map(([model, via]) => `    ${model.padEnd(24)} -> ${via === 'mock' ? 'mock provider (no key in the environment)' : via}`);
  process.stdout.write(
    [
      `AI gateway ready on ${stack.url} (Kong test ingress + plugin servers + relay on ${stack.relay.url})`,
      '  models:',
      ...lines,
      `  admin key (shown once, kept in ${adminKeyFile}): used by \`node dist/cli/aigw.js\``,
      `  a user key for trying it out: ${userKeyFile}`,
      '  try:',
      `    curl -sN ${stack.url}/v1/chat/completions -H "Authorization: Bearer $(cat ${userKeyFile})" -H 'content-type: application/json' \\`,
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
