/**
 * The compression methods' quality, measured: on the QA set (compression-qa.ts) every text method
 * and 'none' at rates 0.5, 0.33 and 0.2 — the ratio achieved, the share of items whose answer
 * survives verbatim, answer word recall, and latency per 1,000 input tokens; on the tool-output
 * corpus, structured's token reduction per file and whether its JSON decodes to the same data.
 * `npx tsx test/bench/compression-quality.ts` prints both as Markdown tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runTextMethod, type TextMethodName } from '../../lib/compression';
import { questionAware } from '../../lib/compression/question-aware';
import type { CompressInput, CompressOutput } from '../../lib/compression/types';
import { countTextTokens } from '../../lib/tokens';
import { decodeCompactJson } from '../lib/compression/structured/decode';
import { CORPUS_DIR } from './compression-corpus';
import { type QaItem, qaSet } from './compression-qa';
import { percentile } from './load';

export const RATES = [0.5, 0.33, 0.2] as const;

type Compress = (input: CompressInput) => CompressOutput;

/** The rows measured: the registry's question methods, the default without word pruning, and no compression. */
export const QA_METHODS: Record<string, Compress> = {
  none: (input) => {
    const tokens = input.segments.reduce((sum, segment) => sum + countTextTokens(segment), 0);
    return { segments: [...input.segments], originalTokens: tokens, compressedTokens: tokens };
  },
  bm25: (input) => runTextMethod('bm25', input),
  question_aware: (input) => runTextMethod('question_aware', input),
  'question_aware (no word pruning)': questionAware({ pruneWords: false }),
};

export interface QaRow {
  /** Which QA set: the development one the methods were tuned on, or a held-out seed. */
  set: string;
  method: string;
  rate: number;
  /** Original over compressed o200k tokens, summed over the items. */
  ratio: number;
  /** Share of items whose every answer string occurs verbatim in the output. */
  answerKept: number;
  /** Mean over items of the share of the answer's words (split on spaces) found as whole words in the output. */
  wordRecall: number;
  p50MsPer1k: number;
  p99MsPer1k: number;
}

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

function wordRecall(answers: readonly string[], output: string): number {
  const outputWords = new Set(wordsOf(output).map((word) => word.replace(/[.,;:!?]+$/, '')));
  const answerWords = answers.flatMap(wordsOf);
  return answerWords.filter((word) => outputWords.has(word.replace(/[.,;:!?]+$/, ''))).length / Math.max(answerWords.length, 1);
}

export function measureQa(method: string, compress: Compress, rate: number, items: readonly QaItem[], set = 'dev'): QaRow {
  let original = 0;
  let compressed = 0;
  let kept = 0;
  let recall = 0;
  const msPer1k: number[] = [];
  for (const item of items) {
    const started = performance.now();
    const output = compress({ segments: [item.context], options: { rate, question: item.question } });
    const elapsed = performance.now() - started;
    msPer1k.push((elapsed * 1000) / output.originalTokens);
    original += output.originalTokens;
    compressed += output.compressedTokens;
    const text = output.segments.join('\n');
    if (item.answers.every((answer) => text.includes(answer))) kept++;
    recall += wordRecall(item.answers, text);
  }
  return {
    set,
    method,
    rate,
    ratio: original / compressed,
    answerKept: kept / items.length,
    wordRecall: recall / items.length,
    p50MsPer1k: percentile(msPer1k, 50),
    p99MsPer1k: percentile(msPer1k, 99),
  };
}

export interface CorpusRow {
  file: string;
  originalTokens: number;
  compressedTokens: number;
  reduction: number;
  /** JSON: decoded output deep-equals the parsed input; text: which lossy markers appear ('none' = lossless). */
  lossless: string;
}

const LOSSY_MARKERS: Record<string, RegExp> = {
  blob: /\[base64 blob, /,
  'frames elided': /frames elided …\]/,
  'passing tests counted': /more passing tests\]/,
  'timestamps dropped': / \[×\d+ through /,
  'dates factored out': /^\[dates omitted below: /m,
  'ls padding': /^[-d][rwx-]{9} \d/m,
};

export function measureCorpus(directory = CORPUS_DIR): CorpusRow[] {
  return readdirSync(directory)
    .sort()
    .map((file) => {
      const text = readFileSync(join(directory, file), 'utf8');
      const output = runTextMethod('structured' satisfies TextMethodName, { segments: [text], options: { rate: 1 } });
      const compactedText = output.segments[0];
      let lossless: string;
      if (file.endsWith('.json')) lossless = isDeepStrictEqual(decodeCompactJson(compactedText), JSON.parse(text)) ? 'yes (decoded = parsed)' : 'NO';
      else {
        const lossy = Object.entries(LOSSY_MARKERS)
          .filter(([, pattern]) => pattern.test(compactedText))
          .map(([name]) => name);
        lossless = lossy.length === 0 ? 'yes' : `lossy, marked: ${lossy.join(', ')}`;
      }
      return {
        file,
        originalTokens: output.originalTokens,
        compressedTokens: output.compressedTokens,
        reduction: 1 - output.compressedTokens / output.originalTokens,
        lossless,
      };
    });
}

/** A seed the methods were never tuned on: its rows show whether the dev set's numbers carry over. */
export const HELD_OUT_SEED = 4242;

export function measureQuality(sets: Record<string, readonly QaItem[]> = { dev: qaSet(), 'held-out': qaSet(HELD_OUT_SEED) }): {
  qa: QaRow[];
  corpus: CorpusRow[];
} {
  const first = Object.values(sets)[0][0];
  // One untimed pass loads the word list and warms the tokenizer's caches.
  QA_METHODS.question_aware({ segments: [first.context], options: { rate: 0.5, question: first.question } });
  const qa: QaRow[] = [];
  for (const [set, items] of Object.entries(sets))
    for (const rate of RATES) for (const [method, compress] of Object.entries(QA_METHODS)) qa.push(measureQa(method, compress, rate, items, set));
  return { qa, corpus: measureCorpus() };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

export function qualityMarkdown({ qa, corpus }: { qa: QaRow[]; corpus: CorpusRow[] }): string {
  const lines = [
    '| QA set | method | rate | ratio | answer kept | answer word recall | ms per 1k tokens p50 / p99 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...qa.map(
      (row) =>
        `| ${row.set} | ${row.method} | ${row.rate} | ${row.ratio.toFixed(2)}× | ${percent(row.answerKept)} | ${percent(row.wordRecall)} | ${row.p50MsPer1k.toFixed(2)} / ${row.p99MsPer1k.toFixed(2)} |`,
    ),
    '',
    '| tool output | o200k tokens | structured | reduction | lossless |',
    '| --- | --- | --- | --- | --- |',
    ...corpus.map((row) => `| ${row.file} | ${row.originalTokens} | ${row.compressedTokens} | ${percent(row.reduction)} | ${row.lossless} |`),
  ];
  const original = corpus.reduce((sum, row) => sum + row.originalTokens, 0);
  const compressed = corpus.reduce((sum, row) => sum + row.compressedTokens, 0);
  lines.push(`| **all** | ${original} | ${compressed} | ${percent(1 - compressed / original)} | |`);
  return lines.join('\n');
}

if (require.main === module) process.stdout.write(`${qualityMarkdown(measureQuality())}\n`);
