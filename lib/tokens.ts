/**
 * Prompt-token estimates for admission (tokens-per-minute limits, worst-case budget
 * reservations). OpenAI's o200k_base encoding counts text exactly for OpenAI models; everything
 * else a request carries gets a deliberate upper bound, so a reservation covers the real bill.
 */
// The package's default encoding is o200k_base (GPT-4o and later).
import { countTokens } from 'gpt-tokenizer';

/** OpenAI's documented per-message framing overhead, rounded up. */
const PER_MESSAGE = 4;
const PER_REQUEST = 3;
/** A high-detail image costs at most 85 + 170 per 512px tile; 1105 covers a 1024x1024 image with room. */
const PER_IMAGE = 1600;
/** Other providers' tokenizers split text differently; this margin keeps the estimate an upper bound. */
const CROSS_TOKENIZER_MARGIN = 1.2;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

function partTokens(part: unknown): number {
  if (typeof part !== 'object' || part === null) return countTokens(textOf(part));
  const p = part as { type?: string; text?: unknown };
  if (p.type === 'text') return countTokens(textOf(p.text));
  if (p.type === 'image_url' || p.type === 'image' || p.type === 'input_image') return PER_IMAGE;
  return countTokens(JSON.stringify(part));
}

function messageTokens(message: Record<string, unknown>): number {
  let tokens = PER_MESSAGE + countTokens(textOf(message.role)) + countTokens(textOf(message.name));
  const content = message.content;
  if (Array.isArray(content)) for (const part of content) tokens += partTokens(part);
  else tokens += countTokens(textOf(content));
  if (message.tool_calls) tokens += countTokens(JSON.stringify(message.tool_calls));
  return tokens;
}

/** An upper-bound estimate of the prompt tokens of a chat completion or embeddings request. */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  let tokens = PER_REQUEST;
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (typeof message === 'object' && message !== null) tokens += messageTokens(message as Record<string, unknown>);
    }
  }
  // Anthropic's format keeps the system prompt outside the messages.
  if (body.system !== undefined) tokens += typeof body.system === 'string' ? countTokens(body.system) : countTokens(JSON.stringify(body.system));
  if (body.tools) tokens += countTokens(JSON.stringify(body.tools));
  if (body.response_format) tokens += countTokens(JSON.stringify(body.response_format));
  if (body.input !== undefined) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    for (const input of inputs) tokens += Array.isArray(input) ? input.length : countTokens(textOf(input));
  }
  return Math.ceil(tokens * CROSS_TOKENIZER_MARGIN);
}

/** The output allowance a request asked for, or null when it set none. */
export function requestedMaxOutput(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const value = body[field];
    if (Number.isInteger(value) && (value as number) > 0) return value as number;
  }
  return null;
}

/** Tokens of a piece of generated text (o200k_base). */
export function countTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}

/** The generated text of a completion: content, reasoning and tool-call arguments (what the provider bills as output). */
export function completionText(completion: { choices?: Array<{ message?: { content?: string | null; reasoning_content?: string | null; tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }> }): string {
  let text = '';
  for (const choice of completion.choices ?? []) {
    const message = choice.message ?? {};
    text += (message.content ?? '') + (message.reasoning_content ?? '');
    for (const call of message.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  }
  return text;
}
