// CLI: npx tsx test/harness/mock-provider/main.ts --port 9001 [--dialect openai|anthropic|gemini|azure|all]
//        [--api-key K] [--models a,b] [--tokens 20 --ttft-ms 50 --tps 200]
// Prints one ready line with the URL, stops on SIGINT/SIGTERM.

import { startMockAnthropic, startMockAzure, startMockGemini, startMockOpenAI, startMockProviders } from './index';
import type { MockProvider, MockProviders, MockScript } from './types';

const USAGE = 'usage: main.ts [--port N] [--dialect openai|anthropic|gemini|azure|all] [--api-key KEY] [--models m1,m2] [--tokens N] [--ttft-ms MS] [--tps N]';

const STARTERS = { openai: startMockOpenAI, anthropic: startMockAnthropic, gemini: startMockGemini, azure: startMockAzure, all: startMockProviders };

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
  const known = new Set(['port', 'dialect', 'api-key', 'models', 'tokens', 'ttft-ms', 'tps']);
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const defaults: MockScript = {};
  const tokens = num(args, 'tokens');
  const ttft = num(args, 'ttft-ms');
  const tps = num(args, 'tps');
  if (tokens !== undefined) defaults.tokens = tokens;
  if (ttft !== undefined) defaults.ttftMs = ttft;
  if (tps !== undefined) defaults.tokensPerSecond = tps;
  const dialect = args.dialect ?? 'openai';
  if (!(dialect in STARTERS)) throw new Error(`--dialect must be openai, anthropic, gemini, azure or all\n${USAGE}`);
  const mock: MockProvider & Partial<MockProviders> = await STARTERS[dialect as keyof typeof STARTERS]({
    port: num(args, 'port') ?? 0,
    apiKey: args['api-key'],
    models: args.models?.split(',').filter(Boolean),
    defaults,
  });
  const bases = mock.baseUrls
    ? Object.entries(mock.baseUrls)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : `base URL ${mock.baseUrl}`;
  console.log(`mock-${dialect === 'all' ? 'providers' : dialect} ready on ${mock.url} (${bases})`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
