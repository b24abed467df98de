/**
 * The rule-based guardrails measured at their shipped defaults: precision and recall per PII and
 * secret type, injection recall and false-positive rate, on the development sets (which the rules
 * were tuned on) and on held-out sets written after the rules were frozen; then latency: p50 per
 * 1k tokens of text for each detector family, and the stream scanner's p99 per chunk.
 * `npx tsx test/bench/guardrails.ts` writes test/bench/raw/guardrails.{json,md} and prints the
 * Markdown; `measureGuardrails` and `guardrailsMarkdown` are what `make bench` would call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createStreamScanner,
  type Detector,
  findInjection,
  injectionDetector,
  PII_TYPES,
  piiDetector,
  ruleDetectors,
  secretsDetector,
} from '../../lib/guardrails';
import { countTextTokens } from '../../lib/tokens/o200k';
import { loadInjectionHeldOut, loadInjectionSet, loadPiiHeldOut, loadPiiSet, loadSecretsSet } from '../lib/guardrails/dev-set';
import { type InjectionScore, scoreInjection, scoreSpans, type TypeScore } from '../lib/guardrails/scoring';
import { percentile } from './load';
import { markedSection, RAW_DIR } from './results';

/** The goals, asserted by test/lib/guardrails/dev-set.test.ts. */
export const GOALS = { checksumTypes: ['card', 'iban'], precision: 0.95, recall: 0.9, p50MsPer1kTokens: 1, streamP99MsPerChunk: 1 } as const;
export const PHONE_COUNTRY = 'US';

export interface GuardrailsBench {
  pii: TypeScore[];
  piiHeldOut: TypeScore[];
  secrets: TypeScore[];
  injection: InjectionScore;
  injectionHeldOut: InjectionScore;
  latency: Array<{ detector: string; p50MsPer1kTokens: number }>;
  /** Per chunk, the least of three scanners (the work); rawP99Ms: one scanner's clock, GC and descheduling included. */
  stream: { chunks: number; chunkChars: string; p50Ms: number; p99Ms: number; maxMs: number; rawP99Ms: number };
  items: { pii: number; piiHeldOut: number; secrets: number; injection: number; injectionHeldOut: number };
}

const RUNS = 200;

/** About 1,000 o200k tokens of the development sets' own texts, PII, secrets and prose mixed. */
function thousandTokens(): string {
  const texts = [...loadPiiSet(), ...loadSecretsSet(), ...loadInjectionSet()].map((i) => i.text);
  let text = '';
  for (let i = 0; countTextTokens(text) < 1000; i = (i + 7) % texts.length) text += `${texts[i]} `;
  return text;
}

/** p50 of `work` on fresh detectors each run (no cache carried from run to run), after a warm-up. */
function p50Ms(make: () => Detector[], text: string): number {
  for (let i = 0; i < 20; i++) for (const d of make()) d.detect(text);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const detectors = make();
    const started = performance.now();
    for (const d of detectors) d.detect(text);
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

function measureStream(make: () => Detector[]): GuardrailsBench['stream'] {
  // A streamed answer: the sets' texts, in the 1–24 character deltas models send.
  const answer = [...loadSecretsSet(), ...loadPiiSet()].map((i) => i.text).join('\n');
  let seed = 11;
  const chunks: string[] = [];
  for (let at = 0; at < answer.length; ) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const size = 1 + ((seed >>> 16) % 24);
    chunks.push(answer.slice(at, at + size));
    at += size;
  }
  // Warm the code (JIT, the phone library's metadata) with other detector instances, so the measured
  // ones start with empty caches as a new request's would.
  const warm = createStreamScanner(ruleDetectors({ pii: { defaultCountry: PHONE_COUNTRY } }));
  for (const chunk of chunks) warm.push(chunk);
  // Three scanners fed the same chunks; each chunk's cost is the least of the three, so a moment
  // the process was descheduled on this shared machine is not counted as the scanner's work.
  const scanners = [0, 1, 2].map(() => createStreamScanner(make()));
  const raw: number[] = [];
  const times = chunks.map((chunk) => {
    const each = scanners.map((scanner) => {
      const started = performance.now();
      scanner.push(chunk);
      return performance.now() - started;
    });
    raw.push(each[0]!);
    return Math.min(...each);
  });
  return {
    chunks: chunks.length,
    chunkChars: '1–24',
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: Math.max(...times),
    rawP99Ms: percentile(raw, 99),
  };
}

export function measureGuardrails(): GuardrailsBench {
  const pii = piiDetector({ defaultCountry: PHONE_COUNTRY });
  const secrets = secretsDetector();
  const text = thousandTokens();
  const families: Array<[string, () => Detector[]]> = [
    ['PII (all types)', () => [piiDetector({ defaultCountry: PHONE_COUNTRY })]],
    ['PII without phone', () => [piiDetector({ types: PII_TYPES.filter((t) => t !== 'phone') })]],
    ['PII phone only', () => [piiDetector({ types: ['phone'], defaultCountry: PHONE_COUNTRY })]],
    ['secrets', () => [secretsDetector()]],
    ['injection', () => [injectionDetector()]],
    ['all three', () => ruleDetectors({ pii: { defaultCountry: PHONE_COUNTRY } })],
  ];
  return {
    pii: scoreSpans(loadPiiSet(), (t) => pii.detect(t)),
    piiHeldOut: scoreSpans(loadPiiHeldOut(), (t) => pii.detect(t)),
    secrets: scoreSpans(loadSecretsSet(), (t) => secrets.detect(t), 'any secret'),
    injection: scoreInjection(loadInjectionSet(), findInjection),
    injectionHeldOut: scoreInjection(loadInjectionHeldOut(), findInjection),
    latency: families.map(([detector, make]) => ({ detector, p50MsPer1kTokens: p50Ms(make, text) })),
    stream: measureStream(() => ruleDetectors({ pii: { defaultCountry: PHONE_COUNTRY } })),
    items: {
      pii: loadPiiSet().length,
      piiHeldOut: loadPiiHeldOut().length,
      secrets: loadSecretsSet().length,
      injection: loadInjectionSet().length,
      injectionHeldOut: loadInjectionHeldOut().length,
    },
  };
}

const pct = (x: number): string => (x * 100).toFixed(1);

function spanTable(rows: TypeScore[]): string {
  return [
    '| type | labelled | found | recall % | reported | correct | precision % |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.type} | ${r.labelled} | ${r.found} | ${pct(r.recall)} | ${r.predicted} | ${r.correct} | ${pct(r.precision)} |`),
  ].join('\n');
}

export function guardrailsMarkdown(b: GuardrailsBench): string {
  const injectionRow = (name: string, s: InjectionScore): string => `| ${name} | ${s.attacks} | ${pct(s.recall)} | ${s.benign} | ${pct(s.falsePositiveRate)} |`;
  return [
    `PII, development set (${b.items.pii} texts incl. near misses; phone default country ${PHONE_COUNTRY}):\n`,
    spanTable(b.pii),
    `\nPII, held-out set (${b.items.piiHeldOut} texts written after the rules were frozen):\n`,
    spanTable(b.piiHeldOut),
    `\nSecrets, development set (${b.items.secrets} texts; \`any secret\` ignores which type reported it):\n`,
    spanTable(b.secrets),
    '\nPrompt injection rules (a text counts as flagged when any rule fires):\n',
    '| set | attacks | recall % | benign | false positives % |',
    '|---|---:|---:|---:|---:|',
    injectionRow('development', b.injection),
    injectionRow('held-out', b.injectionHeldOut),
    "\nLatency on this machine (p50 of 200 runs over ~1,000 o200k tokens of the sets' texts; fresh detectors each run, so no cache helps; stream: every chunk of a streamed answer through all detectors at the default overlap, after a warm-up stream, each chunk the least of three scanners fed alike):\n",
    '| detector | p50 ms per 1k tokens |',
    '|---|---:|',
    ...b.latency.map((l) => `| ${l.detector} | ${l.p50MsPer1kTokens.toFixed(3)} |`),
    `\n| stream scan | chunks | chunk size | p50 ms | p99 ms | max ms | p99 ms, one scanner's clock (GC, scheduling) |\n|---|---:|---|---:|---:|---:|---:|\n| all detectors | ${b.stream.chunks} | ${b.stream.chunkChars} chars | ${b.stream.p50Ms.toFixed(3)} | ${b.stream.p99Ms.toFixed(3)} | ${b.stream.maxMs.toFixed(2)} | ${b.stream.rawP99Ms.toFixed(3)} |`,
    '',
  ].join('\n');
}

if (require.main === module) {
  const bench = measureGuardrails();
  const markdown = guardrailsMarkdown(bench);
  mkdirSync(RAW_DIR, { recursive: true });
  writeFileSync(join(RAW_DIR, 'guardrails.json'), JSON.stringify(bench, null, 2) + '\n');
  writeFileSync(join(RAW_DIR, 'guardrails.md'), '# Guardrails: precision, recall, latency\n\n' + markedSection({ name: 'guardrails', body: markdown }));
  process.stdout.write(markdown);
}
