/**
 * The most prompt tokens a request can be billed on one target, in O(1) from its PromptShape:
 * min(context window, text + images × per-image maximum + what the provider adds). A provider
 * refuses a prompt longer than its context window, so it never bills more than that.
 */
import type { ProviderType } from '../plan';
import type { PromptShape } from './prompt-shape';
import { overheadsFor } from './provider-overheads';

export interface TokenTarget {
  provider: ProviderType;
  /** The model's context window in tokens, when known (catalogue). */
  contextWindow?: number | null;
  /** Most tokens one image costs on this model, when known; else the provider's default. */
  maxImageTokens?: number | null;
}

/**
 * The bound for a request with parts no bound exists for (documents, audio...) on a model whose
 * context window is unknown: 2^21 = 2,097,152 tokens, the largest context window among the
 * providers the gateway translates to (Gemini 1.5 Pro, 2M, ai.google.dev/gemini-api/docs/models).
 * A model with a larger window must have context_window in the catalogue or it is under-reserved.
 */
export const UNKNOWN_CONTEXT_WINDOW = 2_097_152;

export function promptTokenBound(shape: PromptShape, target: TokenTarget): number {
  const window = positiveInteger(target.contextWindow);
  const overheads = overheadsFor(target.provider);
  const imageTokens = positiveInteger(target.maxImageTokens) ?? overheads.imageTokens;
  if (shape.unbounded !== null || (shape.images > 0 && imageTokens === null)) return window ?? UNKNOWN_CONTEXT_WINDOW;
  const framing =
    shape.embeddingInputs > 0
      ? shape.embeddingInputs * overheads.perEmbeddingInput
      : overheads.perRequest +
        shape.messages * overheads.perMessage +
        (shape.usesTools ? overheads.toolPrompt : 0) +
        shape.toolDefinitions * overheads.perToolDefinition +
        shape.toolCalls * overheads.perToolCall +
        shape.toolResults * (overheads.perToolResult + shape.longestToolName);
  const total = shape.textTokens + framing + shape.images * (imageTokens ?? 0);
  if (window === null) return total;
  // The window caps each embeddings input on its own; a chat prompt as a whole.
  return Math.min(total, shape.embeddingInputs > 0 ? shape.embeddingInputs * window : window);
}

function positiveInteger(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}
