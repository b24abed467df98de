/**
 * Usage the gateway counts itself when a provider reports none: the prompt at the gateway's
 * o200k_base estimate (never above the reserved bound: both count the same texts, and o200k
 * never has more tokens than bytes), the answer counted with o200k_base (long pieces as bytes).
 * Marked estimated wherever it shows.
 */
import type { Endpoint } from '../../lib/plan';
import { countTextTokens, estimatePromptTokens } from '../../lib/tokens';
import type { TokenUsage } from './usage';

/** The prompt's tokens at the gateway's estimate: the key plugin's, when a policy made one, else counted now. */
export function estimatePrompt(promptTokensEstimate: number | undefined, clientBody: Record<string, unknown>, endpoint?: Endpoint): number {
  return promptTokensEstimate || estimatePromptTokens(clientBody, endpoint);
}

export function estimateUsage(promptTokens: number, generatedText: string): TokenUsage {
  const completionTokens = countTextTokens(generatedText);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cachedTokens: 0, reasoningTokens: 0, estimated: true };
}
