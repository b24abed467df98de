// What a request asks its answer to be, in protocol-neutral terms: free (text, as scripted or
// generated), a forced call of one of some tools, or JSON (matching a schema when one is given).
// Each dialect reads its own fields into an AnswerShape (openai.ts, anthropic.ts, gemini.ts);
// answer.ts turns it into generated tool calls or JSON text.

import { valueForSchema } from './schema-values';
import { hash32, prng } from './tokenizer';
import type { MockFinishReason } from './types';

export interface ToolSpec {
  name: string;
  /** The tool's parameter schema (JSON Schema, or Gemini's OpenAPI subset). */
  schema?: unknown;
}

export type AnswerShape = { kind: 'free' } | { kind: 'tool'; tools: ToolSpec[]; finishReason: MockFinishReason } | { kind: 'json'; schema?: unknown };

export const FREE: AnswerShape = { kind: 'free' };

/**
 * A forced call of one of `tools`, or of the ones named in `only` when it names any. A forced name
 * the request never declared is still called (with {} arguments), as the request demands.
 */
export function forcedTool(tools: ToolSpec[], only: unknown = undefined, finishReason: MockFinishReason = 'tool_calls'): AnswerShape {
  const names = Array.isArray(only) ? only.filter((n): n is string => typeof n === 'string') : [];
  const chosen = names.length === 0 ? tools : names.map((n) => tools.find((t) => t.name === n) ?? { name: n });
  return chosen.length > 0 ? { kind: 'tool', tools: chosen, finishReason } : FREE;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One call: the tool drawn with the seed, arguments (compact JSON) valid for its schema. A tool
 * without a schema takes no arguments: {}.
 */
export function generatedCall(tools: ToolSpec[], seed: string): { name: string; arguments: string } {
  const tool = tools[Math.floor(prng(hash32(seed))() * tools.length)];
  const value = tool.schema === undefined ? {} : valueForSchema(tool.schema, `${seed}|${tool.name}`);
  // Arguments are an object whatever the schema says.
  return { name: tool.name, arguments: JSON.stringify(isPlainObject(value) ? value : {}) };
}

/** JSON text for JSON mode (an object of a few fields) or for a response schema. */
export function generatedJson(schema: unknown, seed: string): string {
  return JSON.stringify(valueForSchema(schema ?? { type: 'object' }, seed));
}
