/** What a request allows the model to generate, and what a completion generated. */
import type { Endpoint } from '../plan';

/** The output allowance a request asked for, or null when it set none. */
export function requestedMaxOutput(body: Record<string, unknown>, endpoint: Endpoint = 'chat.completions'): number | null {
  const fields =
    endpoint === 'generateContent' ? [generationConfigOf(body).maxOutputTokens] : [body.max_completion_tokens, body.max_tokens, body.max_output_tokens];
  for (const value of fields) {
    if (Number.isInteger(value) && (value as number) > 0) return value as number;
  }
  return null;
}

/** How many answers (choices, candidates) a request asks for: at least 1. */
export function requestedChoices(body: Record<string, unknown>, endpoint: Endpoint): number {
  const count = endpoint === 'chat.completions' ? body.n : endpoint === 'generateContent' ? generationConfigOf(body).candidateCount : undefined;
  return Number.isSafeInteger(count) && (count as number) > 1 ? (count as number) : 1;
}

/** A Google GenAI request's generationConfig (empty when absent or not an object). */
function generationConfigOf(body: Record<string, unknown>): Record<string, unknown> {
  const config = body.generationConfig;
  return typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
}

/** A message or a stream delta, as far as generated text goes. */
export interface GeneratedParts {
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>;
}

/** What one message or delta generated: content, reasoning and tool-call names and arguments (what the provider bills as output). */
export function generatedText(parts: GeneratedParts | undefined): string {
  if (!parts) return '';
  let text = (parts.content ?? '') + (parts.reasoning_content ?? '');
  for (const call of parts.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  return text;
}

/** The generated text of a completion, every choice. */
export function completionText(completion: { choices?: Array<{ message?: GeneratedParts }> }): string {
  return (completion.choices ?? []).map((choice) => generatedText(choice.message)).join('');
}
