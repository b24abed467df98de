/**
 * Token arithmetic for admission and budgets. Two kinds of number, never mixed up:
 * - bounds (promptShape → promptTokenBound): provably at least what a provider can bill for the
 *   prompt, for every tokenizer family the gateway bills; budgets reserve these;
 * - estimates (estimatePromptTokens, countTextTokens): realistic o200k_base counts for rate
 *   limits and for usage a provider did not report.
 * Everything is linear in the body size, never throws on any string, and keeps bounded memory.
 */

export { completionText, type GeneratedParts, generatedText, requestedChoices, requestedMaxOutput } from './completion';
export { estimatePromptTokens } from './estimate';
export { countTextTokens } from './o200k';
export { promptTokenBound, type TokenTarget, UNKNOWN_CONTEXT_WINDOW } from './prompt-bound';
export { combineShapes, type PromptShape, promptShape } from './prompt-shape';
