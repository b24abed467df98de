// Turns a script into the answer of one choice: the text pieces (or tool calls) to emit, the
// finish reason and the completion token count. Protocol-neutral; dialects only format it.

import { type AnswerShape, FREE, generatedCall, generatedJson } from './structured';
import { countTokens, generatePieces, splitIntoPieces } from './tokenizer';
import type { MockFinishReason, MockScript } from './types';

export const DEFAULT_ANSWER_TOKENS = 16;

export interface PlannedToolCall {
  name: string;
  arguments: string;
  /** Argument fragments, streamed one per delta; they concatenate to `arguments`. */
  argPieces: string[];
}

export interface AnswerPlan {
  /** Text pieces (one token each); empty for a tool-call answer. */
  pieces: string[];
  toolCalls: PlannedToolCall[];
  finishReason: MockFinishReason;
  completionTokens: number;
}

export interface PlanInput {
  /** max_tokens / max_completion_tokens from the request. */
  maxTokens?: number;
  /** Seed for generated text, tool arguments and JSON: same seed, same answer. */
  seed: string;
  /** What the request asks for (forced tool, JSON); a script's content or toolCalls override it. */
  shape?: AnswerShape;
}

export function planAnswer(script: MockScript, input: PlanInput): AnswerPlan {
  if (script.toolCalls && script.toolCalls.length > 0) return toolPlan(script.toolCalls, script.finishReason ?? 'tool_calls');
  const shape = script.content === undefined ? (input.shape ?? FREE) : FREE;
  if (shape.kind === 'tool') {
    const plan = toolPlan([generatedCall(shape.tools, input.seed)], shape.finishReason, input.maxTokens);
    return script.finishReason ? { ...plan, finishReason: script.finishReason } : plan;
  }
  const content = script.content ?? (shape.kind === 'json' ? generatedJson(shape.schema, input.seed) : undefined);
  let pieces = content !== undefined ? splitIntoPieces(content) : generatePieces(script.tokens ?? DEFAULT_ANSWER_TOKENS, input.seed);
  let truncated = false;
  if (input.maxTokens !== undefined && pieces.length > input.maxTokens) {
    pieces = pieces.slice(0, input.maxTokens);
    truncated = true;
  }
  return {
    pieces,
    toolCalls: [],
    finishReason: script.finishReason ?? (truncated ? 'length' : 'stop'),
    completionTokens: countTokens(pieces.join('')),
  };
}

/**
 * Tool calls as planned answers. With `maxTokens` (generated calls; scripted ones are sent as
 * written) the arguments stop where the token budget ends, with finish_reason length, as a
 * provider's would.
 */
function toolPlan(calls: Array<{ name: string; arguments: string }>, finishReason: MockFinishReason, maxTokens?: number): AnswerPlan {
  let budget = maxTokens ?? Infinity;
  let truncated = false;
  const toolCalls = calls.map((c) => {
    let argPieces = splitIntoPieces(c.arguments);
    budget -= countTokens(c.name);
    if (argPieces.length > budget) {
      argPieces = argPieces.slice(0, Math.max(0, budget));
      truncated = true;
    }
    budget -= argPieces.length;
    return { name: c.name, arguments: argPieces.join(''), argPieces };
  });
  const completionTokens = toolCalls.reduce((n, c) => n + countTokens(c.name) + countTokens(c.arguments), 0);
  return { pieces: [], toolCalls, finishReason: truncated ? 'length' : finishReason, completionTokens };
}

/**
 * Applies the request's stop sequences (Anthropic stop_sequences, Gemini stopSequences): the answer
 * ends just before the first match, which is not emitted. Returns the matched sequence, if any.
 */
export function applyStopSequences(plan: AnswerPlan, stops: string[]): { plan: AnswerPlan; matched?: string } {
  if (plan.toolCalls.length > 0 || stops.length === 0) return { plan };
  const text = plan.pieces.join('');
  let at = -1;
  let matched: string | undefined;
  for (const s of stops) {
    const i = s === '' ? -1 : text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) [at, matched] = [i, s];
  }
  if (matched === undefined) return { plan };
  const kept = splitIntoPieces(text.slice(0, at));
  return {
    plan: { ...plan, pieces: kept, finishReason: 'stop', completionTokens: countTokens(kept.join('')) },
    matched,
  };
}
