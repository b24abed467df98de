/**
 * `make bench-tokens`: what the token functions cost on this machine, p50 of 15 runs after a
 * warm-up: the admission work on 4 MB worst-case bodies (promptShape + promptTokenBound, and
 * estimatePromptTokens, each in its own plugin server), a typical 8 KB chat, and countTextTokens on
 * generated text. Prints a Markdown table.
 */
import { countTextTokens, estimatePromptTokens, promptShape, promptTokenBound } from '../../lib/tokens';
import { adversarialText, chatBody, seeded } from '../lib/tokens/generators';
import { percentile } from './load';

const RUNS = 15;
const MB = 1 << 20;

function p50(work: (run: number) => void): number {
  work(RUNS);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    work(i);
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

const repeatTo = (length: number, chunk: string): string => chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
const rand = seeded(3);
const randomBase64 = (bytes: number): string => Buffer.from(Array.from({ length: bytes }, () => Math.floor(rand() * 256))).toString('base64');
const randomCjk = (length: number): string => String.fromCharCode(...Array.from({ length }, () => 0x4e00 + Math.floor(rand() * 20000)));

const FOUR_MB: Record<string, string> = {
  'one letter': 'a'.repeat(4 * MB),
  'spaces + "x"': ' '.repeat(4 * MB - 1) + 'x',
  punctuation: '!'.repeat(4 * MB),
  digits: '7'.repeat(4 * MB),
  'combining marks': repeatTo(4 * MB, 'e\u0301\u0327\u0300'),
  'emoji ZWJ + flags': repeatTo(4 * MB, '👨‍👩‍👧‍👦🇫🇷'),
  'mixed case': repeatTo(4 * MB, 'aBcD'),
  base64: repeatTo(4 * MB, randomBase64(96 * 1024)),
  CJK: repeatTo(4 * MB, randomCjk(64 * 1024)),
  'U+FDFA (NFKC ×11)': '\uFDFA'.repeat(4 * MB),
};

const chat = (content: string): Record<string, unknown> => ({ model: 'm', messages: [{ role: 'user', content }] });
const admissionBound = (body: Record<string, unknown>) => () =>
  promptTokenBound(promptShape(body, 'chat.completions'), { provider: 'openai', contextWindow: 128_000 });
const admissionEstimate = (body: Record<string, unknown>) => () => estimatePromptTokens(body);

const rows: string[] = ['| input | promptShape + promptTokenBound p50 ms | estimatePromptTokens p50 ms |', '|---|---:|---:|'];
for (const [name, text] of Object.entries(FOUR_MB)) {
  const body = chat(text);
  rows.push(`| 4 MB ${name} | ${p50(admissionBound(body)).toFixed(1)} | ${p50(admissionEstimate(body)).toFixed(1)} |`);
}
const jsonHeavy = {
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  tools: [{ type: 'function', function: { name: 't', parameters: { enum: Array.from({ length: 700_000 }, (_, i) => (i % 2 ? i : 'x')) } } }],
};
rows.push(`| 4 MB JSON: 700,000 tiny enum values | ${p50(admissionBound(jsonHeavy)).toFixed(1)} | ${p50(admissionEstimate(jsonHeavy)).toFixed(1)} |`);

// A typical 8 KB chat: ten turns of prose, a tool definition.
const prose = 'The gateway reserves the worst case before the call and settles from real usage afterwards. ';
const typical = {
  model: 'm',
  messages: Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: prose.repeat(8) })),
  tools: [
    { type: 'function', function: { name: 'lookup', description: 'Look a thing up.', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
  ],
};
rows.push(
  `| typical chat, ${(JSON.stringify(typical).length / 1024).toFixed(1)} KB | ${p50(admissionBound(typical)).toFixed(3)} | ${p50(admissionEstimate(typical)).toFixed(3)} |`,
);
const adversarialChat = chatBody(rand);
rows.push(
  `| seeded adversarial chat, ${(JSON.stringify(adversarialChat).length / 1024).toFixed(1)} KB | ${p50(admissionBound(adversarialChat)).toFixed(3)} | ${p50(admissionEstimate(adversarialChat)).toFixed(3)} |`,
);

/** One text per run (and the warm-up), so "new" texts never meet a warm piece cache. */
const generated: Record<string, string[]> = {
  'English prose': Array(RUNS + 1).fill(prose.repeat(Math.ceil((256 * 1024) / prose.length)).slice(0, 256 * 1024)),
  'adversarial mix, new each run': Array.from({ length: RUNS + 1 }, () =>
    Array.from({ length: 2000 }, () => adversarialText(rand, 200))
      .join(' ')
      .slice(0, 256 * 1024),
  ),
  'random base64, new each run': Array.from({ length: RUNS + 1 }, () => randomBase64(192 * 1024)),
};
rows.push('', '| generated text, 256 KB | countTextTokens p50 ms |', '|---|---:|');
for (const [name, texts] of Object.entries(generated)) rows.push(`| ${name} | ${p50((run) => countTextTokens(texts[run])).toFixed(1)} |`);

process.stdout.write(rows.join('\n') + '\n');
