/**
 * Detectors over a response as it streams. Each chunk is scanned together with the last `overlap`
 * characters seen before it, so a secret split across chunks (`sk-pro` + `j-abc…`) is in one
 * window when its last piece arrives. Work per chunk is linear in overlap + chunk length, never in
 * the length of the stream so far. Findings carry offsets into the whole stream, and each is
 * reported once (the same detector, type and start seen in a later window is not reported again).
 */
import type { Detector, Finding } from './types';

/**
 * The overlap: the last `context` characters (enough for the longest finding that contains spaces:
 * a grouped IBAN, a phone number, a PEM header, an address), stretched back to the start of the
 * token the cut falls in, up to `maxOverlap` (so a JWT or key arriving over many chunks is whole).
 */
export const STREAM_OVERLAP_DEFAULTS = { context: 128, maxOverlap: 512 } as const;

export interface StreamScanner {
  /** Findings that end in this chunk's text (or in the overlap, when first visible now), with stream offsets. */
  push(chunk: string): Finding[];
  /** Characters seen so far. */
  readonly offset: number;
}

export function createStreamScanner(detectors: readonly Detector[], overlap: { context?: number; maxOverlap?: number } = {}): StreamScanner {
  const context = overlap.context ?? STREAM_OVERLAP_DEFAULTS.context;
  const maxOverlap = Math.max(context, overlap.maxOverlap ?? STREAM_OVERLAP_DEFAULTS.maxOverlap);
  let tail = '';
  let offset = 0;
  const reported = new Set<string>();
  return {
    get offset() {
      return offset;
    },
    push(chunk) {
      const windowText = tail + chunk;
      const windowStart = offset - tail.length;
      const seenBefore = offset;
      offset += chunk.length;
      const fresh: Finding[] = [];
      for (const detector of detectors) {
        for (const f of detector.detect(windowText)) {
          const absolute = { ...f, start: f.start + windowStart, end: f.end + windowStart };
          // Entirely inside the old tail: the previous window saw it whole already.
          if (absolute.end <= seenBefore) continue;
          const key = `${absolute.detector}\u0000${absolute.type}\u0000${absolute.start}`;
          if (reported.has(key)) continue;
          reported.add(key);
          fresh.push(absolute);
        }
      }
      // Keys older than the next window can never recur: forget them so memory stays bounded.
      const keepFrom = offset - maxOverlap;
      if (reported.size > 1024) for (const key of reported) if (Number(key.split('\u0000')[2]) < keepFrom) reported.delete(key);
      let cut = Math.max(0, windowText.length - context);
      const limit = Math.max(0, windowText.length - maxOverlap);
      while (cut > limit && !/\s/.test(windowText[cut - 1]!)) cut--;
      tail = windowText.slice(cut);
      return fresh;
    },
  };
}
