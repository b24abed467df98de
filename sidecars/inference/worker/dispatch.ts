/** One job in a worker: the method or model it names, run, timed. */
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { runTextMethod } from '../../../lib/compression';
import { countTextTokens } from '../../../lib/tokens';
import { compressLlmlingua2, LLMLINGUA2_DEFAULT_RATE } from '../llmlingua2/compress';
import type { CompressJob, CompressResult, EmbedJob, EmbedResult, Job, JobOutcome } from '../pool/messages';
import type { LoadedModels } from './models';

const TEXT_METHODS = new Set(['question_aware', 'bm25', 'structured']);

class JobFailure extends Error {
  constructor(
    readonly code: 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION',
    message: string,
  ) {
    super(message);
  }
}

async function compress(job: CompressJob, models: LoadedModels): Promise<CompressResult> {
  const rate = job.rate > 0 ? job.rate : LLMLINGUA2_DEFAULT_RATE;
  if (TEXT_METHODS.has(job.method)) {
    const out = runTextMethod(job.method as 'question_aware' | 'bm25' | 'structured', {
      segments: job.segments,
      options: { rate, targetTokens: job.targetTokens, question: job.question },
    });
    return { ...out, model: '' };
  }
  if (job.method !== 'llmlingua2') throw new JobFailure('INVALID_ARGUMENT', `unknown method ${job.method}`);
  const scorer = models.scorers.get(job.model);
  if (!scorer) throw new JobFailure('FAILED_PRECONDITION', `model ${job.model} is not loaded`);
  const out = await compressLlmlingua2(
    job.segments,
    {
      rate,
      targetTokens: job.targetTokens,
      forceTokens: job.forceTokens,
      forceReserveDigit: job.forceReserveDigit,
      dropConsecutive: job.dropConsecutive,
      useContextLevelFilter: job.useContextLevelFilter,
    },
    scorer,
    countTextTokens,
  );
  return { ...out, model: job.model };
}

async function embed(job: EmbedJob, models: LoadedModels): Promise<EmbedResult> {
  const embedder = models.embedders.get(job.model);
  if (!embedder) throw new JobFailure('FAILED_PRECONDITION', `model ${job.model} is not loaded`);
  return { vectors: await embedder.embed(job.texts), model: embedder.id, dimensions: embedder.dimensions };
}

/** Parks the thread until the test opens the gate: work that is slow on purpose, released by an event. */
function hold(gate: SharedArrayBuffer | null): null {
  if (!gate) throw new JobFailure('INVALID_ARGUMENT', 'unknown method hold');
  const cell = new Int32Array(gate);
  while (Atomics.load(cell, 0) === 0) Atomics.wait(cell, 0, 0);
  return null;
}

export async function runJob(job: Job, models: LoadedModels, holdGate: SharedArrayBuffer | null): Promise<JobOutcome> {
  const start = performance.now();
  try {
    const value = job.rpc === 'compress' ? await compress(job, models) : job.rpc === 'embed' ? await embed(job, models) : hold(holdGate);
    return { ok: true, value, computeMicros: Math.round((performance.now() - start) * 1000), threadId };
  } catch (error) {
    if (error instanceof JobFailure) return { ok: false, code: error.code, message: error.message };
    const message = (error as Error).message ?? String(error);
    // The text methods throw on what they cannot do; the temporary stand-in says "not implemented".
    if (/not implemented/.test(message)) return { ok: false, code: 'FAILED_PRECONDITION', message };
    return { ok: false, code: 'INTERNAL', message };
  }
}
