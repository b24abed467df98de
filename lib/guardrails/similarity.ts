/**
 * Embedding-similarity detectors: a user text close to a known attack phrasing (known-attacks.ts)
 * or to a route's denied topic, or far from every allowed topic. The embedder is injected (the
 * inference sidecar's Embed in the plugin, a fake in tests): this module does no I/O of its own.
 *
 * Bounded work: a text is read as windows of at most WINDOW_CHARS characters cut at sentence ends,
 * and only the first HEAD_WINDOWS and last TAIL_WINDOWS of them are embedded (an instruction put
 * before or after a pasted document); the windows of every text of one request go to the embedder
 * together, in batches of at most EMBED_BATCH. References are embedded once per embedding model
 * and kept; a new model (the sidecar's default changed) embeds them again.
 */
import type { AsyncDetector, Finding } from './types';

/** Cosine to a known attack that reports a window: picked on the development set (docs/guardrails.md, test/bench/guardrails-similarity.ts). */
export const SIMILARITY_THRESHOLD_DEFAULT = 0.7;
/**
 * Cosine to a topic's example that counts as on that topic: a starting point, to be tuned per
 * route with its own examples (with USE Lite, unrelated questions in the same register score up to
 * about 0.65; docs/guardrails.md).
 */
export const TOPIC_THRESHOLD_DEFAULT = 0.7;
/** Bounds of a route's topics (the examples are embedded once per plugin instance). */
export const TOPICS_MAX = 16;
export const TOPIC_EXAMPLES_MAX = 32;
export const TOPIC_EXAMPLE_CHARS_MAX = 500;
export const WINDOW_CHARS = 256;
export const HEAD_WINDOWS = 2;
export const TAIL_WINDOWS = 4;
/** Texts per Embed call: below the sidecar's default batch limit (64). */
export const EMBED_BATCH = 32;
/** After a failed reference embedding, requests fail open without retrying for this long. */
export const REFERENCE_RETRY_MS = 5000;

export interface Embedded {
  vectors: Float32Array[];
  /** The model that produced them: references and texts are compared only within one model. */
  model: string;
}

/**
 * Embeds texts with `model` ('' = the embedder's default). Rejects when it cannot (down, slow,
 * refused) or when `signal` aborts; without a signal the embedder applies its own longer deadline.
 */
export type EmbedTexts = (texts: string[], model: string, signal?: AbortSignal) => Promise<Embedded>;

export interface Span {
  start: number;
  end: number;
}

const SENTENCE_END = /[.!?。！？]\s|\n/g;

/** The windows of `text` that are embedded: sentences packed up to WINDOW_CHARS, the first and last ones kept. Linear. */
export function textWindows(text: string, windowChars = WINDOW_CHARS): Span[] {
  const head: Span[] = [];
  const tail: Span[] = [];
  const keep = (start: number, end: number): void => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (start === end) return;
    if (head.length < HEAD_WINDOWS) head.push({ start, end });
    else {
      tail.push({ start, end });
      if (tail.length > TAIL_WINDOWS) tail.shift();
    }
  };
  let windowStart = 0;
  let lastCut = 0;
  const cutAt = (end: number): void => {
    // The sentence ending at `end` does not fit the current window: close the window at the last sentence end.
    if (end - windowStart > windowChars && lastCut > windowStart) {
      keep(windowStart, lastCut);
      windowStart = lastCut;
    }
    // A sentence longer than a window is cut into window-sized pieces.
    while (end - windowStart > windowChars) {
      keep(windowStart, windowStart + windowChars);
      windowStart += windowChars;
    }
    lastCut = end;
  };
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m; m = SENTENCE_END.exec(text)) cutAt(m.index + m[0].length);
  cutAt(text.length);
  keep(windowStart, text.length);
  return [...head, ...tail];
}

export function normalised(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}

function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** `texts` embedded in batches of EMBED_BATCH with one model (`''`: the embedder's default), normalised; rejects if a batch comes back short or in another model. */
export async function embedInBatches(embed: EmbedTexts, texts: readonly string[], model: string, signal?: AbortSignal): Promise<Embedded> {
  const batches: Array<Promise<Embedded>> = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) batches.push(embed(texts.slice(i, i + EMBED_BATCH), model, signal));
  const results = await Promise.all(batches);
  const models = new Set(results.map((r) => r.model));
  if (models.size > 1) throw new Error('the embedder changed model in the middle of a request');
  const vectors = results.flatMap((r) => r.vectors);
  if (vectors.length !== texts.length) throw new Error(`the embedder returned ${vectors.length} vectors for ${texts.length} texts`);
  return { vectors: vectors.map(normalised), model: results[0]?.model ?? model };
}

/**
 * Reference texts (attack phrasings, a topic's examples), embedded once per model in the
 * background (not under one request's deadline) and kept; a request waits for them within its own.
 */
export class ReferenceVectors {
  private readonly byModel = new Map<string, Promise<Float32Array[]>>();
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly texts: readonly string[],
    private readonly embed: EmbedTexts,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts embedding with the embedder's default model, so the first request finds them ready. */
  prefetch(): void {
    if (this.byModel.size > 0 || this.texts.length === 0) return;
    embedInBatches(this.embed, this.texts, '').then(
      (done) => this.byModel.set(done.model, Promise.resolve(done.vectors)),
      () => {
        this.failedAt = this.now();
      },
    );
  }

  /** The references embedded with `model`, embedding them once if needed; rejects on failure or when `signal` aborts first. */
  vectorsFor(model: string, signal?: AbortSignal): Promise<Float32Array[]> {
    let vectors = this.byModel.get(model);
    if (!vectors) {
      if (this.now() - this.failedAt < REFERENCE_RETRY_MS) return Promise.reject(new Error('reference embedding failed recently'));
      vectors = embedInBatches(this.embed, this.texts, model).then((done) => {
        if (done.model !== model) throw new Error(`references were embedded with ${done.model}, not ${model}`);
        return done.vectors;
      });
      // Only the latest model's references are kept: a model change replaces them.
      this.byModel.clear();
      this.byModel.set(model, vectors);
      vectors.catch(() => {
        if (this.byModel.get(model) === vectors) this.byModel.delete(model);
        this.failedAt = this.now();
      });
    }
    return abortable(vectors, signal);
  }
}

export interface EmbeddedWindows {
  windows: Span[];
  vectors: Float32Array[];
  model: string;
}

/**
 * One request's window embeddings: every text asked for in the same tick goes to the embedder in
 * one call (batched), and a text asked for twice (by two detectors) is embedded once.
 */
export interface WindowEmbedder {
  windowsOf(text: string, signal?: AbortSignal): Promise<EmbeddedWindows>;
}

export function requestWindowEmbedder(embed: EmbedTexts, windowChars = WINDOW_CHARS): WindowEmbedder {
  const memo = new Map<string, Promise<EmbeddedWindows>>();
  let queue: Array<{ text: string; windows: Span[]; resolve: (e: EmbeddedWindows) => void; reject: (e: unknown) => void }> = [];
  let queueSignal: AbortSignal | undefined;
  const flush = (): void => {
    const jobs = queue;
    const signal = queueSignal;
    queue = [];
    queueSignal = undefined;
    const texts = jobs.flatMap((job) => job.windows.map((w) => job.text.slice(w.start, w.end)));
    embedInBatches(embed, texts, '', signal).then(
      (done) => {
        let at = 0;
        for (const job of jobs) {
          job.resolve({ windows: job.windows, vectors: done.vectors.slice(at, at + job.windows.length), model: done.model });
          at += job.windows.length;
        }
      },
      (error) => {
        for (const job of jobs) job.reject(error);
      },
    );
  };
  return {
    windowsOf(text, signal) {
      let embedded = memo.get(text);
      if (!embedded) {
        const windows = textWindows(text, windowChars);
        embedded =
          windows.length === 0
            ? Promise.resolve({ windows, vectors: [], model: '' })
            : new Promise<EmbeddedWindows>((resolve, reject) => {
                if (queue.length === 0) queueMicrotask(flush);
                queueSignal ??= signal;
                queue.push({ text, windows, resolve, reject });
              });
        memo.set(text, embedded);
      }
      return abortable(embedded, signal);
    },
  };
}

interface Compared {
  spans: Span[];
  /** `scores[w][r]`: cosine of window w and reference r. */
  scores: number[][];
}

/** Cosine of each window of `text` with each reference, in the text's model. */
async function compared(text: string, windows: WindowEmbedder, references: ReferenceVectors, signal?: AbortSignal): Promise<Compared> {
  const embedded = await windows.windowsOf(text, signal);
  if (embedded.windows.length === 0) return { spans: [], scores: [] };
  const refs = await references.vectorsFor(embedded.model, signal);
  return { spans: embedded.windows, scores: embedded.vectors.map((w) => refs.map((r) => dot(w, r))) };
}

const best = (scores: readonly number[]): number => scores.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);

/** Known attacks: the window most similar to one (≥ threshold) is an `injection`/`similar_attack` finding. */
export function attackSimilarityDetector(windows: WindowEmbedder, attacks: ReferenceVectors, threshold: number): AsyncDetector {
  return {
    name: 'injection',
    async detect(text, signal) {
      const { spans, scores } = await compared(text, windows, attacks, signal);
      let top = -1;
      let topScore = threshold;
      scores.forEach((row, i) => {
        const score = best(row);
        if (score >= topScore) [top, topScore] = [i, score];
      });
      return top < 0 ? [] : [{ detector: 'injection', type: 'similar_attack', start: spans[top]!.start, end: spans[top]!.end }];
    },
  };
}

export interface Topic {
  name: string;
  examples: readonly string[];
}

/** A route's topics with their examples embedded together; `topicOf[i]` is example i's topic. */
export class TopicReferences {
  readonly references: ReferenceVectors;
  readonly topicOf: number[];

  constructor(
    readonly topics: readonly Topic[],
    embed: EmbedTexts,
  ) {
    this.topicOf = topics.flatMap((topic, i) => topic.examples.map(() => i));
    this.references = new ReferenceVectors(
      topics.flatMap((t) => t.examples),
      embed,
    );
  }
}

/** Denied topics: each topic with a window ≥ threshold to one of its examples is a `topics`/<name> finding. */
export function deniedTopicsDetector(windows: WindowEmbedder, denied: TopicReferences, threshold: number): AsyncDetector {
  return {
    name: 'topics',
    async detect(text, signal) {
      const { spans, scores } = await compared(text, windows, denied.references, signal);
      const found = new Map<number, Finding>();
      scores.forEach((row, i) => {
        row.forEach((score, example) => {
          const topic = denied.topicOf[example]!;
          if (score >= threshold && !found.has(topic))
            found.set(topic, { detector: 'topics', type: denied.topics[topic]!.name, start: spans[i]!.start, end: spans[i]!.end });
        });
      });
      return [...found.values()];
    },
  };
}

/** Allowed topics: a text with no window ≥ threshold to any allowed example is `topics`/`off_topic`. */
export function allowedTopicsDetector(windows: WindowEmbedder, allowed: TopicReferences, threshold: number): AsyncDetector {
  return {
    name: 'topics',
    async detect(text, signal) {
      const { scores } = await compared(text, windows, allowed.references, signal);
      if (scores.length === 0 || scores.some((row) => best(row) >= threshold)) return [];
      return [{ detector: 'topics', type: 'off_topic', start: 0, end: text.length }];
    },
  };
}
