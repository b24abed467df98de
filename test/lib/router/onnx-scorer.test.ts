/**
 * The ONNX scorer through the real runtime, on a logistic-regression graph this test writes with
 * onnx-proto (sigmoid(features · w + embedding · v + b)): the probability it reads is the one the
 * weights give, with and without an embedding input; a model without a `features` input, or
 * missing, fails each score (the router then fails open). Run in a child process (onnx-scorer-run.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { FALLBACK_SCORER } from '../../../lib/router/decide';
import { SCORING_FEATURE_COUNT, scoringVector } from '../../../lib/router/scoring-features';
import { REPO_ROOT } from '../../harness/stack/sidecar-process';
import { chatFeatures } from './helpers';
import type { RunRequest, RunResult } from './onnx-scorer-run';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const EMBEDDING_WIDTH = 4;

function input(name: string, width: number): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } };
}

/** A logistic regression: `features` [batch, F] (and `embedding` [batch, D]) → `probability` [batch, 1]. */
function logisticModel(weights: number[], bias: number, embeddingWeights?: number[], featuresName = 'features'): Uint8Array {
  const nodes: onnx.INodeProto[] = [{ opType: 'MatMul', input: [featuresName, 'w'], output: ['fz'] }];
  const initializer: onnx.ITensorProto[] = [
    { name: 'w', dims: [weights.length, 1], dataType: FLOAT, floatData: weights },
    { name: 'b', dims: [1], dataType: FLOAT, floatData: [bias] },
  ];
  const inputs = [input(featuresName, weights.length)];
  let sum = 'fz';
  if (embeddingWeights) {
    initializer.push({ name: 'v', dims: [embeddingWeights.length, 1], dataType: FLOAT, floatData: embeddingWeights });
    inputs.push(input('embedding', embeddingWeights.length));
    nodes.push({ opType: 'MatMul', input: ['embedding', 'v'], output: ['ez'] }, { opType: 'Add', input: ['fz', 'ez'], output: ['z0'] });
    sum = 'z0';
  }
  nodes.push({ opType: 'Add', input: [sum, 'b'], output: ['z'] }, { opType: 'Sigmoid', input: ['z'], output: ['probability'] });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'aigw-router-test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'difficulty',
      node: nodes,
      initializer,
      input: inputs,
      output: [{ name: 'probability', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 1 }] } } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const dir = mkdtempSync(join(tmpdir(), 'aigw-router-onnx-'));
function written(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const WEIGHTS = Array.from({ length: SCORING_FEATURE_COUNT }, (_, i) => (i % 3) - 1 + 0.5);

/** The scorer's answers, run by onnx-scorer-run.ts in a child process. */
function run(request: RunRequest): RunResult {
  const out = execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'onnx-scorer-run.ts'), JSON.stringify(request)], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as RunResult;
}

describe('onnxScorer', () => {
  it('reads the probability the weights give to the scoring vector, and routes by it', () => {
    const text = 'Prove that the sum of two even numbers is even, step by step.';
    const result = run({ modelPath: written('features.onnx', logisticModel(WEIGHTS, -0.7)), cases: [{ text, embedding: null }] });
    const vector = scoringVector(chatFeatures(text));
    const expected = sigmoid(-0.7 + WEIGHTS.reduce((sum, w, i) => sum + w * vector[i]!, 0));
    expect(result).toMatchObject({ early: 'error: the difficulty model is still loading', ready: true, usesEmbedding: false });
    expect(result.scores[0] as number).toBeCloseTo(expected, 5);
    expect(result.decision).toMatchObject({
      model: expected >= 0.5 ? 'large' : 'small',
      reason: `difficulty:${expected.toFixed(2)}${expected >= 0.5 ? '>=' : '<'}0.50`,
    });
  });

  it('feeds the embedding when the model reads one (zeros without one, or with one of another width)', () => {
    const result = run({
      modelPath: written('embedding.onnx', logisticModel(WEIGHTS, 0, [1, 2, 3, 4])),
      cases: [
        { text: 'hello', embedding: [0.1, 0.2, 0.3, 0.4] },
        { text: 'hello', embedding: null },
        { text: 'hello', embedding: new Array(EMBEDDING_WIDTH + 1).fill(1) },
      ],
    });
    const base = WEIGHTS.reduce((sum, w, i) => sum + w * scoringVector(chatFeatures('hello'))[i]!, 0);
    expect(result.usesEmbedding).toBe(true);
    expect(result.scores[0] as number).toBeCloseTo(sigmoid(base + 3), 5);
    expect(result.scores[1] as number).toBeCloseTo(sigmoid(base), 5);
    expect(result.scores[2] as number).toBeCloseTo(sigmoid(base), 5);
  });

  it('fails each score when the model is missing or does not take the scoring vector, and the router answers its default', () => {
    for (const modelPath of [join(dir, 'absent.onnx'), written('wrong.onnx', logisticModel(WEIGHTS, 0, undefined, 'x'))]) {
      const result = run({ modelPath, cases: [{ text: 'x', embedding: null }] });
      expect(result.ready).toBe(false);
      expect(result.scores[0]).toMatch(/^error: /);
      expect(result.decision).toMatchObject({ model: 'small', reason: FALLBACK_SCORER });
    }
  });
});
