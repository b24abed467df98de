/**
 * Runs every text method and every embedder once before the worker says it is ready: the first
 * call otherwise pays for loading the word-frequency list, compiling patterns, the model's first
 * inference and the JIT (≈150 ms measured), and the plugins' deadlines are tens of milliseconds,
 * so a cold worker failed open on its first job.
 */
import { runTextMethod, type TextMethodName } from '../../../lib/compression';

const SAMPLE_PROSE = [
  'The checkout service handled 1,240 requests per minute during week 3, and the team reviewed it on Thursday.',
  'The root cause of the outage was an expired TLS certificate, renewed by Dana Whitfield at 04:12 UTC.',
  'Nothing else changed in the deployment, which was not rolled back.',
].join(' ');
const SAMPLE_JSON = JSON.stringify([
  { id: 1, name: 'a', size: 10 },
  { id: 2, name: 'b', size: 20 },
  { id: 3, name: 'c', size: 30 },
]);
const METHODS: TextMethodName[] = ['question_aware', 'bm25', 'structured'];

export function warmUpTextMethods(): void {
  for (const method of METHODS) {
    runTextMethod(method, { segments: [SAMPLE_PROSE, SAMPLE_JSON], options: { rate: 0.5, question: 'Who renewed the certificate?' } });
  }
}

/** One short sentence through each embedder (TF.js and ONNX Runtime compile their kernels on first use). */
export async function warmUpEmbedders(embedders: Iterable<{ embed(texts: string[]): Promise<unknown> }>): Promise<void> {
  for (const embedder of embedders) await embedder.embed(['How do I rotate an API key?']).catch(() => undefined);
}
