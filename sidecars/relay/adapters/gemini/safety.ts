/**
 * What Gemini's filters said, in words a client can read: a blocked prompt
 * (`promptFeedback.blockReason`, no candidates) becomes the error the client gets, in the shape of
 * Azure's content-filter refusals (400, code `content_filter`); an answer a filter stopped
 * (`finishReason` SAFETY, PROHIBITED_CONTENT, ...) keeps its reason, message and flagged ratings
 * in an explanation the response translators carry as the refusal.
 */
import { gatewayError } from '../../../../lib/errors';
import type { MappedError } from '../types';

export interface GeminiSafetyRating {
  category?: string;
  probability?: string;
  blocked?: boolean;
}

export interface GeminiPromptFeedback {
  blockReason?: string;
  /** Vertex AI's readable description of the block reason. */
  blockReasonMessage?: string;
  safetyRatings?: GeminiSafetyRating[];
}

/** Finish reasons that mean a filter stopped the answer: OpenAI has one reason for all of them. */
const FILTER_STOPS = new Set([
  'SAFETY',
  'RECITATION',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'MODEL_ARMOR',
]);

export function isFilterStop(finishReason: string): boolean {
  return FILTER_STOPS.has(finishReason);
}

/** Provider text is bounded before it reaches a client or a message: a hostile answer cannot grow the error. */
const MAX_TEXT = 500;
const MAX_NAME = 64;
const MAX_RATINGS = 8;

const bounded = (value: unknown, max: number): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, max) : null);

/** The ratings that explain a block: those Gemini marked blocked, else those rated MEDIUM or HIGH. */
function flaggedRatings(ratings: unknown): string {
  if (!Array.isArray(ratings)) return '';
  const valid = ratings.slice(0, 32).filter((r): r is GeminiSafetyRating => typeof r === 'object' && r !== null);
  const blocked = valid.filter((r) => r.blocked === true);
  const flagged = blocked.length > 0 ? blocked : valid.filter((r) => r.probability === 'HIGH' || r.probability === 'MEDIUM');
  const named = flagged
    .slice(0, MAX_RATINGS)
    .map((r) => [bounded(r.category, MAX_NAME), bounded(r.probability, MAX_NAME)].filter(Boolean).join(': '))
    .filter(Boolean);
  return named.length > 0 ? ` (${named.join(', ')})` : '';
}

function explanation(what: string, reason: string, message: unknown, ratings: unknown): string {
  const text = bounded(message, MAX_TEXT);
  return `The provider (gemini) ${what}: ${reason.slice(0, MAX_NAME)}${flaggedRatings(ratings)}${text ? `. ${text}` : ''}`;
}

/**
 * A blocked prompt as the client's refusal: 400 with code `content_filter` (as Azure's content
 * filter answers), the reason, its message and the flagged ratings in the message; kind
 * content_policy, so `failover.on_content_policy` decides whether another target is asked.
 */
export function blockedPrompt(feedback: GeminiPromptFeedback | undefined): MappedError | null {
  const reason = bounded(feedback?.blockReason, MAX_NAME);
  if (!reason) return null;
  const message = explanation('blocked the prompt', reason, feedback?.blockReasonMessage, feedback?.safetyRatings);
  return { ...gatewayError(400, message, 'content_filter', 'messages'), type: 'invalid_request_error', kind: 'content_policy' };
}

/** Why a filter stopped a candidate, or null when it finished for any other reason. */
export function filterStopExplanation(candidate: { finishReason?: string; finishMessage?: string; safetyRatings?: unknown }): string | null {
  const reason = candidate.finishReason;
  if (!reason || !isFilterStop(reason)) return null;
  return explanation('stopped the answer', reason, candidate.finishMessage, candidate.safetyRatings);
}
