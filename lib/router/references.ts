/**
 * A router's reference texts (semantic utterances, difficulty anchors) embedded once, in the
 * background, by the embedder given at compile time, and kept with the model that embedded them:
 * a request's text is embedded with that same model (requestEmbedder) so cosines compare like
 * with like. A failed embedding is retried after REFERENCE_RETRY_MS, never in a loop.
 */
import { abortable, type EmbedTexts, embedInBatches, REFERENCE_RETRY_MS } from '../guardrails/similarity';

export interface EmbeddedReferences {
  vectors: readonly Float32Array[];
  model: string;
}

export class RouterReferences {
  private embedded: Promise<EmbeddedReferences> | null = null;
  private ready: EmbeddedReferences | null = null;
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly texts: readonly string[],
    private readonly embed: EmbedTexts,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts embedding (once), so the first request finds the references ready. */
  prefetch(): void {
    void this.vectors().catch(() => undefined);
  }

  /** The references once embedded, else null (without waiting). */
  get current(): EmbeddedReferences | null {
    return this.ready;
  }

  /** The references, embedding them if needed; rejects when the embedder fails (or failed within REFERENCE_RETRY_MS). */
  vectors(): Promise<EmbeddedReferences> {
    if (this.embedded) return this.embedded;
    if (this.now() - this.failedAt < REFERENCE_RETRY_MS) return Promise.reject(new Error('reference embedding failed recently'));
    // The embedder's default model: a request's text is then embedded in whichever model that was.
    this.embedded = embedInBatches(this.embed, this.texts, '').then(
      (done) => {
        this.ready = done;
        return done;
      },
      (error: unknown) => {
        this.failedAt = this.now();
        this.embedded = null;
        throw error;
      },
    );
    return this.embedded;
  }
}

/** Cosine of two vectors, the first already normalised; 0 when they differ in length (different models). */
export function cosine(unit: Float32Array, other: Float32Array): number {
  if (unit.length !== other.length) return 0;
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < unit.length; i++) {
    dot += unit[i]! * other[i]!;
    norm += other[i]! * other[i]!;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}

/**
 * decideRoute's `embed` over an EmbedTexts (the inference sidecar's Embed): the request's text in
 * the references' model, under `deadlineMs`; null on any failure (the router then fails open).
 */
export function requestEmbedder(references: RouterReferences | null, embed: EmbedTexts, deadlineMs: number): (text: string) => Promise<Float32Array | null> {
  return async (text) => {
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const model = (references ? (await abortable(references.vectors(), signal)).model : '') ?? '';
      const result = await abortable(embed([text], model, signal), signal);
      if (result.vectors.length !== 1 || (model !== '' && result.model !== model)) return null;
      return result.vectors[0]!;
    } catch {
      return null;
    }
  };
}
