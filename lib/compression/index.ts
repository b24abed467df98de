/** The text compression methods (no model needed) behind one registry. */
import { compressBm25 } from './bm25';
import { compressQuestionAware } from './question-aware';
import { compressStructured } from './structured';
import type { CompressInput, CompressionMethod, CompressOutput, TextMethod } from './types';

export * from './types';

export type TextMethodName = Exclude<CompressionMethod, 'llmlingua2'>;

export const TEXT_METHODS: Record<TextMethodName, TextMethod> = {
  question_aware: compressQuestionAware,
  bm25: compressBm25,
  structured: compressStructured,
};

export function isTextMethod(method: string): method is TextMethodName {
  return Object.hasOwn(TEXT_METHODS, method);
}

export function runTextMethod(method: TextMethodName, input: CompressInput): CompressOutput {
  if (!isTextMethod(method)) throw new RangeError(`not a text compression method: ${String(method)}`);
  return TEXT_METHODS[method](input);
}
