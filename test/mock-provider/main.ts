// CLI: npx tsx test/mock-provider/main.ts --port 9001 [--api-key K] [--models a,b]
//                                        [--tokens 20 --ttft-ms 50 --tps 200]
// Prints one ready line with the URL, stops on SIGINT/SIGTERM.

import { startMockOpenAI } from './index';
import type { MockScript } from './types';

const USAGE =
  'usage: main.ts [--port N] [--api-key KEY] [--models m1,m2] [--tokens N] [--ttft-ms MS] [--tps N]';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n${USAGE}`);
    const [k, inline] = a.slice(2).split('=', 2);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`missing value for --${k}\n${USAGE}`);
    out[k] = v;
  }
  return out;
}

function num(args: Record<string, string>, key: string): number | undefined {
  if (args[key] === undefined) return undefined;
  const n = Number(args[key]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a non-negative number`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const known = new Set(['port', 'api-key', 'models', 'tokens', 'ttft-ms', 'tps']);
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const defaults: MockScript = {};
  const tokens = num(args, 'tokens');
  const ttft = num(args, 'ttft-ms');
  const tps = num(args, 'tps');
  if (tokens !== undefined) defaults.tokens = tokens;
  if (ttft !== undefined) defaults.ttftMs = ttft;
  if (tps !== undefined) defaults.tokensPerSecond = tps;
  const mock = await startMockOpenAI({
    port: num(args, 'port') ?? 0,
    apiKey: args['api-key'],
    models: args.models?.split(',').filter(Boolean),
    defaults,
  });
  console.log(`mock-openai ready on ${mock.url} (base URL ${mock.baseUrl})`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
