/**
 * The detector contract shared by every guardrail. A finding carries offsets only: what matched is
 * read from the text by whoever redacts it and never travels into logs or metrics.
 */

/** Which family of detectors found it: the name a route's config, a metric and a 400 carry. */
export type DetectorName = 'pii' | 'secrets' | 'injection' | 'prompt_guard' | 'topics';

export interface Finding {
  detector: DetectorName;
  /** What kind of thing, e.g. `email`, `card`, `aws_access_key`, `ignore_instructions`. */
  type: string;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
}

/** A synchronous detector: linear time in the text's length, no I/O. */
export interface Detector {
  name: DetectorName;
  detect(text: string): Finding[];
}

/**
 * A detector that needs I/O (the inference sidecar's embedder for similarity to known attacks, an
 * external guard): the caller gives it a deadline through `signal` and decides fail-open or closed.
 */
export interface AsyncDetector {
  name: DetectorName;
  detect(text: string, signal?: AbortSignal): Promise<Finding[]>;
}
