/**
 * CLI for the Kong-side test double:
 *   npx tsx test/harness/kong-double/main.ts --deck deck/kong.yaml --plugins dist/kong-plugins --port 8000 [--kong-conf kong/kong.conf] [--client-body-buffer-size 10m]
 * Prints one ready line ("test ingress ready on http://127.0.0.1:8000") and stops cleanly on SIGINT/SIGTERM.
 */
import { startIngress } from './index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const deckFile = arg('deck') ?? 'deck/kong.yaml';
  const pluginsDir = arg('plugins') ?? 'dist/kong-plugins';
  const port = Number(arg('port') ?? '8000');
  const ingress = await startIngress({
    deckFile,
    pluginsDir,
    port,
    kongConf: arg('kong-conf'),
    clientBodyBufferSize: arg('client-body-buffer-size'),
    onLog: (e) => {
      if (process.env.INGRESS_VERBOSE !== '1' && (e.level === 'err' || e.level === 'crit' || e.level === 'warn')) {
        process.stderr.write(`[ingress] ${e.level} [${e.source}] ${e.message}\n`);
      }
    },
  });
  process.stdout.write(`test ingress ready on ${ingress.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    ingress.close().then(
      () => process.exit(0),
      (e: Error) => {
        process.stderr.write(`close failed: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  process.stderr.write(`test ingress failed to start: ${e.message}\n`);
  process.exit(1);
});
