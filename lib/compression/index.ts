/**
 * TEMPORARY stand-in until the text methods' branch merges (it replaces this file): the
 * inference sidecar dispatches on this exact signature. Only 'structured' answers, as the
 * identity, so the sidecar's dispatch path can be exercised; the others throw.
 */
import { countTextTokens } from '../tokens';
import type { CompressInput, CompressOutput } from './types';

export type TextMethodName = 'question_aware' | 'bm25' | 'structured';

export function runTextMethod(method: TextMethodName, input: CompressInput): CompressOutput {
  if (method !== 'structured') throw new Error(`${method}: not implemented`);
  const tokens = input.segments.reduce((sum, segment) => sum + countTextTokens(segment), 0);
  return { segments: [...input.segments], originalTokens: tokens, compressedTokens: tokens };
}
