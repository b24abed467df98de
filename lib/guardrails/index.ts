/**
 * Rule-based guardrail detectors (PII, secrets, prompt injection), Kong-compatible allow/deny
 * patterns, redaction with restoration, and the streaming scanner. Pure: no I/O, no logging.
 * docs/guardrails.md describes each detector and its measured precision and recall.
 */
import { injectionDetector } from './injection';
import { type PiiOptions, piiDetector } from './pii';
import { type SecretsOptions, secretsDetector } from './secrets';
import type { AsyncDetector, Detector, DetectorName, Finding } from './types';

export { disjointFindings } from './findings';
export { findInjection, injectionDetector } from './injection';
export { KNOWN_ATTACKS } from './known-attacks';
export { caseInsensitive, compileLinearPattern, linearEngineAvailable, PatternError } from './linear-regex';
export { normaliseForRules } from './normalise';
export { PII_TYPES, type PiiOptions, type PiiType, piiDetector } from './pii';
export * from './prompt-guard';
export { createRedactionSession, MAX_PLACEHOLDER_LENGTH, placeholderLabel, type RedactionSession } from './redact';
export { createStreamRestorer, restorePlaceholders, type StreamRestorer } from './restore';
export { type SecretsOptions, secretsDetector } from './secrets';
export {
  allowedTopicsDetector,
  attackSimilarityDetector,
  deniedTopicsDetector,
  type Embedded,
  type EmbedTexts,
  ReferenceVectors,
  requestWindowEmbedder,
  type Topic,
  TopicReferences,
  textWindows,
  type WindowEmbedder,
} from './similarity';
export { createStreamScanner, STREAM_OVERLAP_DEFAULTS, type StreamScanner } from './stream-scan';
export type { AsyncDetector, Detector, DetectorName, Finding } from './types';

/** Longest text one detect call reads (UTF-16 units): 4 MiB, the gateway's default body limit. */
export const MAX_DETECT_CHARS = 4 * 1024 * 1024;

export interface DetectorOptions {
  pii?: PiiOptions | false;
  secrets?: SecretsOptions | false;
  injection?: boolean;
}

/** The shipped rule-based detectors, each on unless turned off. */
export function ruleDetectors(options: DetectorOptions = {}): Detector[] {
  const detectors: Detector[] = [];
  if (options.pii !== false) detectors.push(piiDetector(options.pii ?? {}));
  if (options.secrets !== false) detectors.push(secretsDetector(options.secrets ?? {}));
  if (options.injection !== false) detectors.push(injectionDetector());
  return detectors;
}

export interface DetectResult {
  findings: Finding[];
  /** False when the text was longer than MAX_DETECT_CHARS and only its beginning was read: the caller decides (a blocking policy should refuse). */
  complete: boolean;
}

export function detectAll(text: string, detectors: readonly Detector[], maxChars = MAX_DETECT_CHARS): DetectResult {
  const scanned = text.length > maxChars ? text.slice(0, maxChars) : text;
  return { findings: detectors.flatMap((d) => d.detect(scanned)), complete: scanned.length === text.length };
}

/** The synchronous detectors, then the asynchronous ones (a similarity scorer) within `signal`'s deadline. */
export async function detectAllAsync(
  text: string,
  detectors: readonly Detector[],
  asyncDetectors: readonly AsyncDetector[],
  signal?: AbortSignal,
  maxChars = MAX_DETECT_CHARS,
): Promise<DetectResult> {
  const result = detectAll(text, detectors, maxChars);
  const scanned = result.complete ? text : text.slice(0, maxChars);
  const more = await Promise.all(asyncDetectors.map((d) => d.detect(scanned, signal)));
  return { findings: [...result.findings, ...more.flat()], complete: result.complete };
}

export const findingsOf = (findings: readonly Finding[], detector: DetectorName): Finding[] => findings.filter((f) => f.detector === detector);
