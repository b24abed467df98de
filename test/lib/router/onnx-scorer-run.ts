/**
 * Runs the ONNX scorer outside jest (onnxruntime-node's output tensors are typed arrays of the
 * main realm, which jest's sandbox refuses): `tsx onnx-scorer-run.ts <request JSON>` prints, as
 * JSON, each case's score (or error) and the decision of a router whose scorer is that model.
 */
import { compileRouter } from '../../../lib/router/config';
import { decideRoute } from '../../../lib/router/decide';
import { onnxScorer } from '../../../lib/router/onnx-scorer';
import { chatFeatures } from './helpers';

export interface RunRequest {
  modelPath: string;
  cases: Array<{ text: string; embedding: number[] | null }>;
}

export interface RunResult {
  early: string;
  ready: boolean;
  usesEmbedding: boolean;
  scores: Array<number | string>;
  decision: unknown;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]!) as RunRequest;
  const scorer = onnxScorer(request.modelPath);
  // Asked before the model has loaded: a request never waits for it.
  const early = await Promise.resolve(scorer.score(chatFeatures('x'), null)).then(String, (error: Error) => `error: ${error.message}`);
  const ready = await scorer.ready.then(
    () => true,
    () => false,
  );
  const scores: Array<number | string> = [];
  for (const item of request.cases) {
    try {
      scores.push(await scorer.score(chatFeatures(item.text), item.embedding ? Float32Array.from(item.embedding) : null));
    } catch (error) {
      scores.push(`error: ${(error as Error).message}`);
    }
  }
  const router = compileRouter({
    name: 'auto',
    candidates: ['small', 'large'],
    default_model: 'small',
    difficulty: {
      weak_model: 'small',
      strong_model: 'large',
      strong_share: 0.3,
      scorer: 'onnx',
      model_path: request.modelPath,
      initial_threshold: 0.5,
      recalibrate_every: 0,
    },
  });
  // Once loaded, as a running gateway's router is after its first moments.
  await (router.difficulty!.score as { ready?: Promise<void> }).ready?.catch(() => undefined);
  const decision = await decideRoute(router, chatFeatures(request.cases[0]?.text ?? 'x'), { embed: async () => null });
  const result: RunResult = { early, ready, usesEmbedding: scorer.usesEmbedding, scores, decision };
  process.stdout.write(JSON.stringify(result));
}

void main();
