/** A bounded closed-loop load generator: N requests at a fixed concurrency, with a time cap. */
import type { Pool } from 'undici';

export interface Sample {
  /** Time to the first response byte (streams: the first event). */
  ttfbMs: number;
  totalMs: number;
}

export interface LoadResult {
  samples: Sample[];
  errors: number;
  wallMs: number;
  throughput: number;
}

export async function runLoad(send: () => Promise<Sample>, concurrency: number, requests: number, maxDurationMs: number): Promise<LoadResult> {
  const samples: Sample[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < requests && performance.now() - started < maxDurationMs) {
      issued++;
      try {
        samples.push(await send());
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  return { samples, errors, wallMs, throughput: (samples.length / wallMs) * 1000 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** One POST per call on `pool`, timed to its first byte and its end; anything but a 200 is an error. */
export function sender(pool: Pool, path: string, body: string, headersFor: () => Record<string, string>): () => Promise<Sample> {
  return async () => {
    const headers = headersFor();
    const start = performance.now();
    const res = await pool.request({ path, method: 'POST', body, headers });
    let ttfb = NaN;
    for await (const chunk of res.body) {
      if (Number.isNaN(ttfb) && (chunk as Buffer).length > 0) ttfb = performance.now() - start;
    }
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return { ttfbMs: ttfb, totalMs: performance.now() - start };
  };
}
