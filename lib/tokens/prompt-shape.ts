/**
 * The provable part of a prompt's size, computed once per request and then bounded per target in
 * O(1) by promptTokenBound (prompt-bound.ts). Linear in the body: one visit per value and one
 * pass per string.
 */
import type { Endpoint } from '../plan';
import { jsonValueBound } from './json-bound';
import { type PromptVisitor, walkRequest } from './request-walk';
import { jsonTextBound, textBound } from './string-bound';

export interface PromptShape {
  /**
   * Upper bound on the tokens of all text the provider renders (messages, names, roles, ids,
   * tool definitions, calls and results), for any tokenizer whose every token covers at least
   * one byte of its possibly normalised input. Framing the provider adds is not included.
   */
  textTokens: number;
  messages: number;
  /** Image parts: each costs at most the target's per-image maximum. */
  images: number;
  toolDefinitions: number;
  toolCalls: number;
  toolResults: number;
  /** Bound on the longest tool name (the Gemini adapter repeats the call's name in each result). */
  longestToolName: number;
  /** Tools or a JSON mode: providers add a tool-use system prompt. */
  usesTools: boolean;
  embeddingInputs: number;
  /** Why the request holds parts no bound can be computed for (documents, audio...), or null. */
  unbounded: string | null;
}

export function promptShape(body: Record<string, unknown>, endpoint: Endpoint): PromptShape {
  const shape: PromptShape = {
    textTokens: 0,
    messages: 0,
    images: 0,
    toolDefinitions: 0,
    toolCalls: 0,
    toolResults: 0,
    longestToolName: 0,
    usesTools: false,
    embeddingInputs: 0,
    unbounded: null,
  };
  const visitor: PromptVisitor = {
    text: (text) => (shape.textTokens += textBound(text)),
    jsonText: (text) => (shape.textTokens += jsonTextBound(text)),
    jsonValue: (value) => (shape.textTokens += jsonValueBound(value)),
    tokenIds: (count) => (shape.textTokens += count),
    message: () => shape.messages++,
    image: () => shape.images++,
    unbounded: (reason) => (shape.unbounded ??= reason),
    toolDefinition: () => shape.toolDefinitions++,
    toolCall: (name) => {
      shape.toolCalls++;
      shape.longestToolName = Math.max(shape.longestToolName, textBound(name));
    },
    toolResult: () => shape.toolResults++,
    embeddingInput: () => shape.embeddingInputs++,
    usesTools: () => (shape.usesTools = true),
  };
  walkRequest(body, endpoint, visitor);
  return shape;
}

/** Two parts of one prompt as one (a request and the earlier context it continues). */
export function combineShapes(a: PromptShape, b: PromptShape): PromptShape {
  return {
    textTokens: a.textTokens + b.textTokens,
    messages: a.messages + b.messages,
    images: a.images + b.images,
    toolDefinitions: a.toolDefinitions + b.toolDefinitions,
    toolCalls: a.toolCalls + b.toolCalls,
    toolResults: a.toolResults + b.toolResults,
    longestToolName: Math.max(a.longestToolName, b.longestToolName),
    usesTools: a.usesTools || b.usesTools,
    embeddingInputs: a.embeddingInputs + b.embeddingInputs,
    unbounded: a.unbounded ?? b.unbounded,
  };
}
