/**
 * Detectors over a response as it streams. Each chunk is scanned together with the last `overlap`
 * characters seen before it, so a secret split across chunks (`sk-pro` + `j-abc…`) is in one
 * window when its last piece arrives. Work per chunk is linear in overlap + chunk length, never in
 * the length of the stream so far. Findings carry offsets into the whole stream, and each is
 * reported once (the same detector, type and start seen in a later window is not reported again).
 */
import type { Detector, Finding } from './types';

/** Covers the longest single-token secrets whose format needs the whole token (JWTs, PEM headers). */
export const DEFAULT_STREAM_OVERLAP = 512;

export interface StreamScanner {
  /** Findings that end in this chunk's text (or in the overlap, when first visible now), with stream offsets. */
  push(chunk: string): Finding[];
  /** Characters seen so far. */
  readonly offset: number;
}

export function createStreamScanner(detectors: readonly Detector[], overlap = DEFAULT_STREAM_OVERLAP): StreamScanner {
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
      const keepFrom = offset - overlap;
      if (reported.size > 1024) for (const key of reported) if (Number(key.split('\u0000')[2]) < keepFrom) reported.delete(key);
      let next = windowText.slice(-overlap);
      // Start the overlap at a word boundary when one is near, so it begins no token mid-way.
      const space = next.search(/\s/);
      if (space > 0 && space < 64 && next.length === overlap) next = next.slice(space + 1);
      tail = next;
      return fresh;
    },
  };
}
