/**
 * The router measured on its development set and the held-out set written after the defaults
 * froze (test/bench/router-dev-set): per policy, the share of requests routed to the strong model,
 * the cost relative to always-strong (catalogue prices of the dev models, each prompt's token
 * estimate and a stated answer length), agreement with the labels, and strong recall (prompts
 * labelled strong that reach the strong model); then decideRoute's in-process latency. Embeddings
 * come from Universal Sentence Encoder Lite in-process (the inference sidecar's built-in model).
 * `npx tsx test/bench/router.ts` (about 10 s) writes test/bench/raw/router.{json,md};
 * `--fit` prints logistic-regression weights fitted on the development set (how HEURISTIC_WEIGHTS
 * were chosen), `--quantiles` the development set's score quantiles (DEV_SET_QUANTILES).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbedTexts } from '../../lib/guardrails/similarity';
import { catalogPrice } from '../../lib/pricing';
import { compileRouter, type RouterDefinition } from '../../lib/router/config';
import { decideRoute } from '../../lib/router/decide';
import { DEV_SET_QUANTILES } from '../../lib/router/dev-calibration';
import { anchorPull } from '../../lib/router/difficulty';
import { type RequestFeatures, requestFeatures } from '../../lib/router/features';
import { SCORING_FEATURE_NAMES, scoringVector } from '../../lib/router/scoring-features';
import { loadUseLite } from '../../sidecars/inference/embed/use-lite';
import { percentile } from './load';
import { markedSection, RAW_DIR } from './results';
import { type DevItem, loadDevSet, loadHeldOut } from './router-dev-set';

export const WEAK_MODEL = 'gpt-4o-mini';
export const STRONG_MODEL = 'gpt-4o';
/** The answer length assumed for every prompt (tokens): a medium answer. */
export const OUTPUT_TOKENS = 400;
/** The strong share shipped in the docs' example and `make dev`'s `auto` router. */
export const SHIPPED_STRONG_SHARE = 0.3;
const SHARES = [0.2, 0.3, 0.4, 0.5];
const LATENCY_ROUNDS = 5;

const CANDIDATES = { candidates: [WEAK_MODEL, STRONG_MODEL], default_model: WEAK_MODEL };

/** The rules policy measured: tool-result steps weak, code and long prompts strong. */
export const BENCH_RULES: RouterDefinition = {
  name: 'auto-rules',
  ...CANDIDATES,
  rules: [
    { name: 'tool-step', model: WEAK_MODEL, when: { last_role: 'tool' } },
    { name: 'code', model: STRONG_MODEL, when: { has_code: true } },
    { name: 'long', model: STRONG_MODEL, when: { min_prompt_tokens: 120 } },
  ],
};

/** The semantic policy measured: a route of hard-task phrasings to the strong model, else weak. */
export const BENCH_SEMANTIC: RouterDefinition = {
  name: 'auto-semantic',
  ...CANDIDATES,
  semantic: {
    threshold: 0.5,
    routes: [
      {
        name: 'hard',
        model: STRONG_MODEL,
        utterances: [
          'Prove this theorem rigorously.',
          'Derive the formula step by step.',
          'Design a scalable distributed system and explain the trade-offs.',
          'Find the concurrency bug in this code.',
          'Analyse the decision and recommend a strategy.',
          'Solve this logic puzzle step by step.',
          'Critique the argument and identify the flaws.',
          'Write an efficient algorithm and analyse its complexity.',
        ],
      },
    ],
  },
};

const difficultyRouter = (share: number, threshold: number): RouterDefinition => ({
  name: 'auto',
  ...CANDIDATES,
  difficulty: {
    weak_model: WEAK_MODEL,
    strong_model: STRONG_MODEL,
    strong_share: share,
    scorer: 'heuristic',
    initial_threshold: threshold,
    recalibrate_every: 0,
  },
});

export interface PolicyRow {
  set: 'dev' | 'held-out';
  policy: string;
  strongShare: number;
  /** Cost of the set under this policy over its cost under always-strong. */
  relativeCost: number;
  agreement: number;
  strongRecall: number;
}

export interface RouterBench {
  embedder: string;
  items: { dev: number; devStrong: number; heldOut: number; heldOutStrong: number };
  prices: { weak: { model: string; input: number; output: number }; strong: { model: string; input: number; output: number }; outputTokens: number };
  shippedShare: number;
  /** Thresholds that give each share on the development set. */
  thresholds: Record<string, number>;
  policies: PolicyRow[];
  /** Microseconds per request, in process: requestFeatures, and decideRoute with a ready embedding (the embedding's own time is the sidecar's). */
  latency: { requests: number; featuresP50Us: number; featuresP99Us: number; decideP50Us: number; decideP99Us: number };
  seconds: number;
}

interface Prepared {
  item: DevItem;
  features: RequestFeatures;
  embedding: Float32Array | null;
}

function prepare(items: readonly DevItem[], vectors: ReadonlyMap<string, Float32Array>): Prepared[] {
  return items.map((item) => {
    const features = requestFeatures(item.body, 'openai', { headers: {}, keyMetadata: {}, teamMetadata: {}, stream: false });
    return { item, features, embedding: vectors.get(features.lastUserText) ?? null };
  });
}

function priceOf(model: string): { model: string; input: number; output: number } {
  const price = catalogPrice(model);
  if (!price) throw new Error(`${model} is not in the price catalogue`);
  return { model, input: price.input, output: price.output };
}

/** The upper (1 − share) quantile of scores: at or above it, `share` of them. */
function thresholdFor(scores: readonly number[], share: number): number {
  const sorted = [...scores].sort((a, b) => b - a);
  const index = Math.max(0, Math.min(sorted.length - 1, Math.round(share * sorted.length) - 1));
  return sorted[index]!;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function measureRouter(): Promise<RouterBench> {
  const started = performance.now();
  const model = await loadUseLite();
  const embed: EmbedTexts = async (texts) => ({ vectors: await model.embed(texts), model: model.id });
  const dev = loadDevSet();
  const heldOut = loadHeldOut();
  const texts = [...new Set([...dev, ...heldOut].map((item) => prepare([item], new Map())[0]!.features.lastUserText).filter((t) => t.length > 0))];
  const vectors = new Map<string, Float32Array>();
  for (let i = 0; i < texts.length; i += 32) {
    const batch = texts.slice(i, i + 32);
    (await model.embed(batch)).forEach((vector, j) => vectors.set(batch[j]!, vector));
  }
  const sets = { dev: prepare(dev, vectors), 'held-out': prepare(heldOut, vectors) } as const;
  const weak = priceOf(WEAK_MODEL);
  const strong = priceOf(STRONG_MODEL);
  const costOf = (p: Prepared, routedModel: string): number => {
    const price = routedModel === STRONG_MODEL ? strong : weak;
    return p.features.promptTokens * price.input + OUTPUT_TOKENS * price.output;
  };
  const deps = { embed: async (text: string) => vectors.get(text) ?? null };
  const rowOf = (set: PolicyRow['set'], policy: string, prepared: readonly Prepared[], models: readonly string[]): PolicyRow => {
    const strongCost = prepared.reduce((sum, p) => sum + costOf(p, STRONG_MODEL), 0);
    const cost = prepared.reduce((sum, p, i) => sum + costOf(p, models[i]!), 0);
    const strongLabelled = prepared.filter((p) => p.item.label === 'strong');
    return {
      set,
      policy,
      strongShare: models.filter((m) => m === STRONG_MODEL).length / prepared.length,
      relativeCost: cost / strongCost,
      agreement: prepared.filter((p, i) => (models[i] === STRONG_MODEL) === (p.item.label === 'strong')).length / prepared.length,
      strongRecall:
        strongLabelled.length === 0 ? 1 : prepared.filter((p, i) => p.item.label === 'strong' && models[i] === STRONG_MODEL).length / strongLabelled.length,
    };
  };
  const routed = async (def: RouterDefinition, prepared: readonly Prepared[]): Promise<string[]> => {
    const router = compileRouter(def, embed);
    await router.references?.vectors();
    const models: string[] = [];
    for (const p of prepared) models.push((await decideRoute(router, p.features, deps)).model);
    return models;
  };

  // Scores of the shipped heuristic (anchors embedded), for the thresholds of each share.
  const scoring = compileRouter(difficultyRouter(SHIPPED_STRONG_SHARE, 0.5), embed);
  await scoring.references?.vectors();
  const devScores = await Promise.all(sets.dev.map(async (p) => scoring.difficulty!.score.score(p.features, p.embedding)));
  const thresholds = Object.fromEntries(SHARES.map((share) => [String(share), thresholdFor(devScores, share)]));

  const policies: PolicyRow[] = [];
  for (const set of ['dev', 'held-out'] as const) {
    const prepared = sets[set];
    const random = mulberry32(14);
    policies.push(
      rowOf(
        set,
        'always-weak',
        prepared,
        prepared.map(() => WEAK_MODEL),
      ),
    );
    policies.push(
      rowOf(
        set,
        'always-strong',
        prepared,
        prepared.map(() => STRONG_MODEL),
      ),
    );
    policies.push(
      rowOf(
        set,
        `random at ${SHIPPED_STRONG_SHARE}`,
        prepared,
        prepared.map(() => (random() < SHIPPED_STRONG_SHARE ? STRONG_MODEL : WEAK_MODEL)),
      ),
    );
    policies.push(rowOf(set, 'rules', prepared, await routed(BENCH_RULES, prepared)));
    policies.push(rowOf(set, 'semantic', prepared, await routed(BENCH_SEMANTIC, prepared)));
    for (const share of SHARES) {
      const name = `difficulty at ${share}${share === SHIPPED_STRONG_SHARE ? ' (shipped)' : ''}`;
      policies.push(rowOf(set, name, prepared, await routed(difficultyRouter(share, thresholds[String(share)]!), prepared)));
    }
  }

  // Latency: requestFeatures on the body, then decideRoute with the embedding ready.
  const router = compileRouter(difficultyRouter(SHIPPED_STRONG_SHARE, thresholds[String(SHIPPED_STRONG_SHARE)]!), embed);
  await router.references?.vectors();
  const featureTimes: number[] = [];
  const decideTimes: number[] = [];
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const p of sets.dev) {
      const t0 = performance.now();
      const features = requestFeatures(p.item.body, 'openai', { headers: {}, keyMetadata: {}, teamMetadata: {}, stream: false });
      const t1 = performance.now();
      await decideRoute(router, features, deps);
      const t2 = performance.now();
      // The first round warms the JIT.
      if (round > 0) {
        featureTimes.push((t1 - t0) * 1000);
        decideTimes.push((t2 - t1) * 1000);
      }
    }
  }
  return {
    embedder: model.id,
    items: {
      dev: dev.length,
      devStrong: dev.filter((i) => i.label === 'strong').length,
      heldOut: heldOut.length,
      heldOutStrong: heldOut.filter((i) => i.label === 'strong').length,
    },
    prices: { weak, strong, outputTokens: OUTPUT_TOKENS },
    shippedShare: SHIPPED_STRONG_SHARE,
    thresholds,
    policies,
    latency: {
      requests: featureTimes.length,
      featuresP50Us: percentile(featureTimes, 50),
      featuresP99Us: percentile(featureTimes, 99),
      decideP50Us: percentile(decideTimes, 50),
      decideP99Us: percentile(decideTimes, 99),
    },
    seconds: (performance.now() - started) / 1000,
  };
}

const pct = (x: number): string => (x * 100).toFixed(1);

export function routerMarkdown(bench: RouterBench): string {
  const { weak, strong } = bench.prices;
  const lines = [
    `Development set: ${bench.items.dev} prompts (${bench.items.devStrong} labelled strong); held-out: ${bench.items.heldOut} (${bench.items.heldOutStrong} strong), written after the defaults froze. The sets are written by this project (test/bench/router-dev-set), not a public benchmark; labelling rule in docs/routing.md. Weak model ${weak.model} ($${weak.input}/$${weak.output} per M tokens in/out), strong ${strong.model} ($${strong.input}/$${strong.output}); cost = each prompt's token estimate plus ${bench.prices.outputTokens} output tokens. Embeddings: ${bench.embedder}. Difficulty thresholds are the development set's quantiles for each share (the held-out set uses the same thresholds).`,
    '',
    '| set | policy | routed to strong % | cost vs always-strong % | agreement with labels % | strong recall % |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const row of bench.policies) {
    lines.push(`| ${row.set} | ${row.policy} | ${pct(row.strongShare)} | ${pct(row.relativeCost)} | ${pct(row.agreement)} | ${pct(row.strongRecall)} |`);
  }
  const l = bench.latency;
  lines.push(
    '',
    `Router overhead in process (${l.requests} requests): requestFeatures p50 ${l.featuresP50Us.toFixed(0)} µs, p99 ${l.featuresP99Us.toFixed(0)} µs; decideRoute (difficulty, embedding ready) p50 ${l.decideP50Us.toFixed(0)} µs, p99 ${l.decideP99Us.toFixed(0)} µs. Policies that read an embedding add one Embed call to the inference sidecar (its latency: the inference bench).`,
  );
  return lines.join('\n') + '\n';
}

/** The development set as the shipped heuristic reads it: scoring vectors, embeddings and the compiled router (anchors embedded). */
async function devScoring() {
  const model = await loadUseLite();
  const embed: EmbedTexts = async (texts) => ({ vectors: await model.embed(texts), model: model.id });
  const router = compileRouter(difficultyRouter(SHIPPED_STRONG_SHARE, 0.5), embed);
  await router.references?.vectors();
  const dev = loadDevSet();
  const prepared = prepare(dev, new Map());
  const embeddings = await model.embed(prepared.map((p) => p.features.lastUserText || ' '));
  return { router, dev, prepared, embeddings };
}

/** Logistic regression on the development set (features + anchor pull), L2-regularised: how the heuristic weights were chosen. */
async function fitWeights(): Promise<void> {
  const { router, dev, prepared, embeddings } = await devScoring();
  const vectors = router.references!.current!.vectors;
  const at = router.anchorsAt;
  const half = (vectors.length - at) / 2;
  const anchors = { easy: vectors.slice(at, at + half), hard: vectors.slice(at + half) };
  const rows = prepared.map((p, i) => [...scoringVector(p.features), anchorPull(embeddings[i]!, anchors)]);
  const labels = dev.map((item) => (item.label === 'strong' ? 1 : 0));
  const weights = new Array<number>(rows[0]!.length).fill(0);
  let bias = 0;
  const rate = 0.5;
  const l2 = 0.002;
  for (let epoch = 0; epoch < 20000; epoch++) {
    const gradient = new Array<number>(weights.length).fill(0);
    let gradientBias = 0;
    rows.forEach((row, i) => {
      const z = bias + row.reduce((sum, x, j) => sum + x * weights[j]!, 0);
      const error = 1 / (1 + Math.exp(-z)) - labels[i]!;
      row.forEach((x, j) => (gradient[j]! += error * x));
      gradientBias += error;
    });
    weights.forEach((w, j) => (weights[j] = w - rate * (gradient[j]! / rows.length + l2 * w)));
    bias -= rate * (gradientBias / rows.length);
  }
  const names = [...SCORING_FEATURE_NAMES, 'anchor_pull'];
  process.stdout.write(`${names.map((name, j) => `${weights[j]!.toFixed(2)}, // ${name}`).join('\n')}\nbias ${bias.toFixed(2)}\n`);
}

/** The shipped heuristic's score quantiles on the development set (DEV_SET_QUANTILES). */
async function devQuantiles(): Promise<void> {
  const { router, prepared, embeddings } = await devScoring();
  const scores = await Promise.all(prepared.map(async (p, i) => router.difficulty!.score.score(p.features, embeddings[i]!)));
  const sorted = [...scores].sort((a, b) => a - b);
  const steps = DEV_SET_QUANTILES.length - 1;
  const q = Array.from({ length: steps + 1 }, (_, i) => sorted[Math.round((i / steps) * (sorted.length - 1))]!);
  process.stdout.write(`[${q.map((x) => Number(x.toFixed(3))).join(', ')}]\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--fit')) return fitWeights();
  if (process.argv.includes('--quantiles')) return devQuantiles();
  const bench = await measureRouter();
  const markdown = routerMarkdown(bench);
  mkdirSync(RAW_DIR, { recursive: true });
  writeFileSync(join(RAW_DIR, 'router.json'), JSON.stringify(bench, null, 2) + '\n');
  writeFileSync(join(RAW_DIR, 'router.md'), markedSection({ name: 'router-quality', body: markdown }));
  process.stdout.write(markdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`router bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
