/**
 * Canonical chat request (OpenAI chat completions) → Anthropic Messages request. Pure: it builds
 * the body and headers, or refuses with a 400 what Anthropic cannot do as asked.
 *
 * Decisions (each tested in test/sidecars/relay/adapters/anthropic.test.ts):
 * - max_tokens is required by Anthropic. We send max_completion_tokens ?? max_tokens, else the
 *   model's published max output (target pricing), else 4096. OpenAI's default is "as long as the
 *   model allows", so the model's maximum keeps that meaning; 4096 is accepted by every Claude model.
 *   The budget reservation already assumes that worst case, so nothing is billed beyond it.
 * - temperature: OpenAI accepts 0–2, Anthropic 0–1 with the same meaning below 1. Values above 1
 *   are clamped to 1 (the most random Anthropic allows) rather than refused: clients send 1.2 as
 *   "more creative", and a 400 would break them for no gain; below 0 is refused as OpenAI does.
 * - response_format json_object / json_schema: Anthropic has no JSON mode on every model, so the
 *   gateway forces a single tool (JSON_TOOL_NAME) whose input schema is the requested schema
 *   (any object for json_object); the response side turns that tool call back into the message
 *   content. Forcing a tool is incompatible with the caller's own tools and with extended thinking,
 *   so those combinations are refused rather than silently weakened.
 * - reasoning_effort → thinking {type: enabled, budget_tokens}: minimal 1024 (Anthropic's minimum),
 *   low 2048, medium 8192, high 16384, xhigh 32000; 'none' sends no thinking. Anthropic requires
 *   budget_tokens < max_tokens (both count thinking, as OpenAI's max_completion_tokens counts
 *   reasoning): an explicit client limit caps the budget, a defaulted one grows to fit it.
 * - Anthropic-only request features reach here as canonical extensions: `cache_control` on text
 *   parts, tools and system parts, `thinking` (exact budget, from an Anthropic-format client),
 *   `top_k`, `is_error` on tool messages, `thinking_blocks` (signed thinking) on assistant
 *   messages and `anthropic_fields` (an Anthropic client's top-level fields without a canonical
 *   form: output_config, service_tier, ...). They are Anthropic's own, so they are kept verbatim;
 *   a native output_config.format replaces the JSON-mode emulation below.
 * - OpenAI fields Anthropic has no counterpart for (seed, penalties, ...) are not read: the relay
 *   counts them as dropped, by lib/translation-policy's rules.
 */

import type { GatewayError } from '../../../../lib/errors';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { isObject } from '../../../../lib/validate';
import { AlternatingTurns } from '../turns';
import { Refusal, type UpstreamHttpRequest } from '../types';
import {
  type AnthropicContentBlock,
  type AnthropicMessageParam,
  type AnthropicRequest,
  type AnthropicTextBlock,
  type AnthropicThinking,
  type AnthropicTool,
  type AnthropicToolChoice,
  type CacheControl,
  JSON_TOOL_NAME,
  VERBATIM_FIELDS,
} from './wire';

export const ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_MAX_TOKENS = 4096;
export const MIN_THINKING_BUDGET = 1024;
/** A Map: reasoning_effort is the client's string, and must never find an inherited property. */
export const THINKING_BUDGETS: ReadonlyMap<string, number> = new Map([
  ['minimal', 1024],
  ['low', 2048],
  ['medium', 8192],
  ['high', 16384],
  ['xhigh', 32000],
]);
/** Room left for the answer when the gateway picks max_tokens around a thinking budget. */
const ANSWER_ROOM = 4096;

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** `https://api.anthropic.com` and `https://api.anthropic.com/v1` both work as base URLs. */
export function messagesUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
}

export function buildAnthropicRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): UpstreamHttpRequest | GatewayError {
  let body: AnthropicRequest;
  // Fields Anthropic has no counterpart for are never read here; the relay counts them (lib/translation-policy).
  const dropped: string[] = [];
  try {
    body = toAnthropicBody(target, request);
  } catch (err) {
    if (err instanceof Refusal) return err.toGatewayError();
    throw err;
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
    accept: body.stream ? 'text/event-stream' : 'application/json',
  };
  if (apiKey) headers['x-api-key'] = apiKey;
  if (typeof request.temperature === 'number' && request.temperature > 1) dropped.push('temperature_above_1');
  if (request.messages.some((m) => m?.role === 'assistant' && m.reasoning_content && !(m as { thinking_blocks?: unknown }).thinking_blocks)) {
    dropped.push('unsigned_reasoning_content');
  }
  const out: UpstreamHttpRequest = { url: messagesUrl(target.baseUrl), headers, body: JSON.stringify(body) };
  if (dropped.length > 0) out.dropped = dropped;
  return out;
}

function toAnthropicBody(target: PlanTarget, request: ChatRequest): AnthropicRequest {
  if (request.n != null && request.n !== 1) throw new Refusal('Anthropic models return one choice per request; n must be 1.', 'n');
  if (request.logprobs === true || request.top_logprobs != null) throw new Refusal('Anthropic models do not return logprobs.', 'logprobs');
  if (!Array.isArray(request.messages)) throw new Refusal('messages must be an array.', 'messages', 'invalid_value');

  const { system, messages } = convertMessages(request.messages);
  // An Anthropic client's own top-level fields (output_config, service_tier, ...) go as they came;
  // what the gateway builds wins over them.
  const body: AnthropicRequest = { ...verbatimFields(request), model: target.model, max_tokens: 0, messages };
  if (system.length > 0) body.system = system;

  // Claude's own structured outputs (an Anthropic client's output_config.format) need no emulation.
  const nativeFormat = isObject(body.output_config) && body.output_config.format != null;
  const jsonMode = !nativeFormat && (request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema');
  const tools = convertTools(request.tools);
  if (tools.length > 0) body.tools = tools;
  const toolChoice = convertToolChoice(request.tool_choice, request.parallel_tool_calls, tools.length > 0);
  if (toolChoice) body.tool_choice = toolChoice;

  const stop = request.stop;
  if (typeof stop === 'string' && stop !== '') body.stop_sequences = [stop];
  else if (Array.isArray(stop)) {
    const sequences = stop.filter((s): s is string => typeof s === 'string' && s !== '');
    if (sequences.length > 0) body.stop_sequences = sequences;
  }

  if (request.temperature != null) {
    if (typeof request.temperature !== 'number' || request.temperature < 0)
      throw new Refusal('temperature must be a number from 0 to 2.', 'temperature', 'invalid_value');
    // Anthropic's range ends at 1; see the header comment.
    body.temperature = Math.min(request.temperature, 1);
  }
  if (request.top_p != null) body.top_p = request.top_p;
  if (typeof request.top_k === 'number') body.top_k = request.top_k;
  if (request.stream === true) body.stream = true;
  if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };

  const thinking = resolveThinking(request);
  body.max_tokens = resolveMaxTokens(target, request, thinking);
  if (thinking) {
    body.thinking = thinking;
    // Anthropic refuses these with thinking on; say so before spending a round trip.
    if (body.temperature !== undefined && body.temperature !== 1)
      throw new Refusal('temperature cannot be set with reasoning on Anthropic models (only 1 is allowed).', 'temperature');
    if (body.top_p !== undefined && body.top_p < 0.95) throw new Refusal('top_p must be at least 0.95 with reasoning on Anthropic models.', 'top_p');
    if (body.tool_choice && (body.tool_choice.type === 'any' || body.tool_choice.type === 'tool')) {
      throw new Refusal('Anthropic models cannot be forced to call a tool while reasoning; use tool_choice auto or none.', 'tool_choice');
    }
  }

  if (jsonMode) applyJsonMode(body, request, thinking);
  return body;
}

/** The canonical request's `anthropic_fields`: the verbatim fields, and nothing else. */
function verbatimFields(request: ChatRequest): Record<string, unknown> {
  const given = request.anthropic_fields;
  const fields: Record<string, unknown> = {};
  if (isObject(given)) for (const key of VERBATIM_FIELDS) if (given[key] != null && Object.hasOwn(given, key)) fields[key] = given[key];
  return fields;
}

// ---- messages ----

function convertMessages(input: ChatMessage[]): { system: AnthropicTextBlock[]; messages: AnthropicMessageParam[] } {
  const system: AnthropicTextBlock[] = [];
  // Anthropic rejects empty turns and wants strictly alternating roles.
  const turns = new AlternatingTurns<'user' | 'assistant', AnthropicContentBlock>();
  const push = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]) => turns.push(role, blocks);

  input.forEach((message, i) => {
    const where = `messages[${i}]`;
    if (typeof message !== 'object' || message === null) throw new Refusal(`${where} must be an object.`, where, 'invalid_value');
    switch (message.role) {
      case 'system':
      case 'developer':
        // Anthropic has one top-level system prompt; system messages are collected there in order.
        system.push(...textBlocks(message.content, where, 'system'));
        break;
      case 'user':
        push('user', userBlocks(message.content, where));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(message, where));
        break;
      case 'tool':
        push('user', [toolResult(message, where)]);
        break;
      default:
        throw new Refusal(`${where}.role ${JSON.stringify((message as { role?: unknown }).role)} is not supported.`, `${where}.role`, 'invalid_value');
    }
  });

  // Anthropic requires tool_result blocks to come first in their user turn.
  const resultsFirst = (blocks: AnthropicContentBlock[]) => [
    ...blocks.filter((b) => b.type === 'tool_result'),
    ...blocks.filter((b) => b.type !== 'tool_result'),
  ];
  return { system, messages: turns.list.map(({ role, items }) => ({ role, content: role === 'user' ? resultsFirst(items) : items })) };
}

function cacheControlOf(part: unknown): CacheControl | undefined {
  const cc = (part as { cache_control?: unknown }).cache_control;
  return typeof cc === 'object' && cc !== null && (cc as { type?: unknown }).type === 'ephemeral' ? (cc as CacheControl) : undefined;
}

/** Content parts come from the client: anything but an object is refused before it is read. */
function partsOf(content: unknown[], where: string): ContentPart[] {
  const bad = content.findIndex((part) => !isObject(part));
  if (bad >= 0) throw new Refusal(`${where}.content[${bad}] must be an object.`, `${where}.content[${bad}]`, 'invalid_value');
  return content as ContentPart[];
}

function textBlock(text: string, cacheControl?: CacheControl): AnthropicTextBlock {
  return cacheControl ? { type: 'text', text, cache_control: cacheControl } : { type: 'text', text };
}

/** System messages and tool results: text only. Empty text is skipped (Anthropic rejects it). */
function textBlocks(content: ChatMessage['content'], where: string, what: string): AnthropicTextBlock[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [textBlock(content)];
  if (!Array.isArray(content)) throw new Refusal(`${where}.content must be a string or an array of parts.`, `${where}.content`, 'invalid_value');
  const out: AnthropicTextBlock[] = [];
  partsOf(content, where).forEach((part, j) => {
    if (part.type !== 'text' || typeof part.text !== 'string') {
      throw new Refusal(`${where}.content[${j}]: ${what} content can only hold text parts on Anthropic models.`, `${where}.content`);
    }
    if (part.text !== '') out.push(textBlock(part.text, cacheControlOf(part)));
  });
  return out;
}

function userBlocks(content: ChatMessage['content'], where: string): AnthropicContentBlock[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [textBlock(content)];
  if (!Array.isArray(content)) throw new Refusal(`${where}.content must be a string or an array of parts.`, `${where}.content`, 'invalid_value');
  const out: AnthropicContentBlock[] = [];
  partsOf(content, where).forEach((part, j) => {
    const block = userPart(part, `${where}.content[${j}]`);
    if (block) out.push(block);
  });
  return out;
}

function userPart(part: ContentPart, where: string): AnthropicContentBlock | null {
  const cacheControl = cacheControlOf(part);
  if (part.type === 'text') {
    if (typeof part.text !== 'string') throw new Refusal(`${where}.text must be a string.`, where, 'invalid_value');
    return part.text === '' ? null : textBlock(part.text, cacheControl);
  }
  if (part.type === 'image_url') {
    const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
    if (typeof url !== 'string') throw new Refusal(`${where}.image_url.url must be a string.`, where, 'invalid_value');
    const block: AnthropicContentBlock = { type: 'image', source: imageSource(url, where) };
    if (cacheControl) block.cache_control = cacheControl;
    return block;
  }
  if (part.type === 'file') {
    // OpenAI's inline PDF part; Anthropic takes PDFs as base64 document blocks.
    const file = (part as { file?: { file_data?: unknown } }).file;
    const data = typeof file?.file_data === 'string' ? parseDataUrl(file.file_data) : null;
    if (data?.mediaType !== 'application/pdf') {
      throw new Refusal(`${where}: only inline PDF files (file.file_data as a base64 data URL) can be sent to Anthropic models.`, where);
    }
    const block: AnthropicContentBlock = { type: 'document', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
    if (cacheControl) block.cache_control = cacheControl;
    return block;
  }
  throw new Refusal(`${where}: content part type ${JSON.stringify(part.type)} is not supported by Anthropic models.`, where);
}

function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1].toLowerCase(), data: match[3] } : null;
}

function imageSource(url: string, where: string): { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } {
  if (url.startsWith('data:')) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw new Refusal(`${where}: image data URLs must be base64 encoded.`, where, 'invalid_value');
    const mediaType = parsed.mediaType === 'image/jpg' ? 'image/jpeg' : parsed.mediaType;
    if (!IMAGE_TYPES.has(mediaType))
      throw new Refusal(`${where}: Anthropic models take JPEG, PNG, GIF or WebP images, not ${parsed.mediaType}.`, where, 'invalid_value');
    return { type: 'base64', media_type: mediaType, data: parsed.data };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  throw new Refusal(`${where}: image URLs must be http(s) or base64 data URLs.`, where, 'invalid_value');
}

function assistantBlocks(message: ChatMessage, where: string): AnthropicContentBlock[] {
  const out: AnthropicContentBlock[] = [];
  // Signed thinking from an earlier Anthropic turn must be replayed first (tool use with thinking
  // requires it). Unsigned reasoning_content cannot be verified by Anthropic, so it is not sent.
  const thinkingBlocks = (message as { thinking_blocks?: unknown }).thinking_blocks;
  if (Array.isArray(thinkingBlocks)) {
    for (const b of thinkingBlocks) {
      const block = b as AnthropicContentBlock;
      if (block && (block.type === 'thinking' || block.type === 'redacted_thinking')) out.push(block);
    }
  }
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') out.push(textBlock(content));
  } else if (Array.isArray(content)) {
    partsOf(content, where).forEach((part, j) => {
      if (part.type === 'text' && typeof part.text === 'string') {
        if (part.text !== '') out.push(textBlock(part.text, cacheControlOf(part)));
      } else if (part.type !== 'refusal') {
        throw new Refusal(`${where}.content[${j}]: assistant content can only hold text parts.`, `${where}.content`);
      }
    });
  }
  const calls: unknown = message.tool_calls ?? [];
  if (!Array.isArray(calls)) throw new Refusal(`${where}.tool_calls must be an array.`, `${where}.tool_calls`, 'invalid_value');
  (calls as ToolCall[]).forEach((call, k) => {
    const at = `${where}.tool_calls[${k}]`;
    if (call?.type !== 'function' || typeof call.id !== 'string' || typeof call.function?.name !== 'string')
      throw new Refusal(`${at} must be a function call with an id.`, at, 'invalid_value');
    out.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments, `${at}.function.arguments`) });
  });
  return out;
}

function parseArguments(args: unknown, where: string): unknown {
  if (args == null || args === '') return {};
  if (typeof args !== 'string') throw new Refusal(`${where} must be a JSON string.`, where, 'invalid_value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Refusal(`${where} is not valid JSON; Anthropic needs tool call arguments as a JSON object.`, where, 'invalid_value');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Refusal(`${where} must be a JSON object for Anthropic models.`, where, 'invalid_value');
  }
  return parsed;
}

function toolResult(message: ChatMessage, where: string): AnthropicContentBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw new Refusal(`${where}.tool_call_id is required for tool messages.`, `${where}.tool_call_id`, 'invalid_value');
  }
  const block: AnthropicContentBlock = { type: 'tool_result', tool_use_id: message.tool_call_id };
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') block.content = content;
  } else {
    const blocks = textBlocks(content, where, 'tool');
    if (blocks.length > 0) block.content = blocks;
  }
  if ((message as { is_error?: unknown }).is_error === true) block.is_error = true;
  return block;
}

// ---- tools ----

function convertTools(tools: FunctionTool[] | undefined): AnthropicTool[] {
  if (tools == null) return [];
  if (!Array.isArray(tools)) throw new Refusal('tools must be an array.', 'tools', 'invalid_value');
  return tools.map((tool, i) => {
    if (tool?.type !== 'function' || typeof tool.function?.name !== 'string') {
      throw new Refusal(`tools[${i}]: only function tools can be sent to Anthropic models.`, `tools[${i}]`);
    }
    if (tool.function.name === JSON_TOOL_NAME) {
      throw new Refusal(
        `tools[${i}]: the tool name ${JSON_TOOL_NAME} is reserved by the gateway for JSON responses on Anthropic models.`,
        `tools[${i}]`,
        'invalid_value',
      );
    }
    const out: AnthropicTool = { name: tool.function.name, input_schema: tool.function.parameters ?? { type: 'object', properties: {} } };
    if (tool.function.description) out.description = tool.function.description;
    const cc = cacheControlOf(tool);
    if (cc) out.cache_control = cc;
    return out;
  });
}

function convertToolChoice(choice: ChatRequest['tool_choice'], parallel: boolean | undefined, hasTools: boolean): AnthropicToolChoice | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice == null) return hasTools && parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return hasTools ? { type: 'none' } : undefined;
  if (choice === 'auto') return hasTools ? { type: 'auto', ...noParallel } : undefined;
  if (!hasTools) throw new Refusal('tool_choice requires tools.', 'tool_choice', 'invalid_value');
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (typeof choice === 'object' && choice.type === 'function' && typeof choice.function?.name === 'string') {
    return { type: 'tool', name: choice.function.name, ...noParallel };
  }
  throw new Refusal('tool_choice must be none, auto, required or a function.', 'tool_choice', 'invalid_value');
}

// ---- thinking and max_tokens ----

function resolveThinking(request: ChatRequest): (AnthropicThinking & { type: 'enabled' }) | AnthropicThinking | undefined {
  const native = request.thinking as AnthropicThinking | undefined;
  if (native && typeof native === 'object') {
    if (native.type === 'disabled') return undefined;
    if (native.type === 'enabled' && typeof native.budget_tokens === 'number') return { type: 'enabled', budget_tokens: native.budget_tokens };
    if (native.type === 'adaptive') return { type: 'adaptive' };
    throw new Refusal('thinking must be {type: enabled, budget_tokens}, {type: adaptive} or {type: disabled}.', 'thinking', 'invalid_value');
  }
  const effort = request.reasoning_effort;
  if (effort == null || effort === 'none') return undefined;
  const budget = typeof effort === 'string' ? THINKING_BUDGETS.get(effort) : undefined;
  if (budget === undefined)
    throw new Refusal(
      `reasoning_effort ${JSON.stringify(effort)} is not supported; use minimal, low, medium, high or xhigh.`,
      'reasoning_effort',
      'invalid_value',
    );
  return { type: 'enabled', budget_tokens: budget };
}

function resolveMaxTokens(target: PlanTarget, request: ChatRequest, thinking: AnthropicThinking | undefined): number {
  const param = request.max_completion_tokens != null ? 'max_completion_tokens' : request.max_tokens != null ? 'max_tokens' : null;
  const explicit = request.max_completion_tokens ?? request.max_tokens;
  if (explicit != null && (typeof explicit !== 'number' || !Number.isInteger(explicit) || explicit < 1)) {
    throw new Refusal(`${param} must be a positive integer.`, param, 'invalid_value');
  }
  const modelMax = target.pricing?.max_output_tokens;
  if (thinking?.type !== 'enabled') return explicit ?? modelMax ?? DEFAULT_MAX_TOKENS;

  const fromEffort = request.thinking == null; // a native budget is the client's own, passed as is
  if (explicit != null) {
    if (fromEffort && thinking.budget_tokens >= explicit) {
      // The client's limit wins: it counts reasoning, as OpenAI's does.
      thinking.budget_tokens = explicit - 1;
      if (thinking.budget_tokens < MIN_THINKING_BUDGET) {
        throw new Refusal(`reasoning on Anthropic models needs ${param} above ${MIN_THINKING_BUDGET}.`, param, 'invalid_value');
      }
    }
    return explicit;
  }
  if (modelMax != null) {
    if (fromEffort && thinking.budget_tokens >= modelMax) thinking.budget_tokens = Math.max(MIN_THINKING_BUDGET, modelMax - ANSWER_ROOM);
    return modelMax;
  }
  return Math.max(DEFAULT_MAX_TOKENS, thinking.budget_tokens + ANSWER_ROOM);
}

// ---- JSON mode emulation ----

function applyJsonMode(body: AnthropicRequest, request: ChatRequest, thinking: AnthropicThinking | undefined): void {
  if (body.tools && body.tools.length > 0) {
    throw new Refusal('response_format json is emulated with a forced tool on Anthropic models and cannot be combined with tools.', 'response_format');
  }
  if (thinking) throw new Refusal('response_format json cannot be combined with reasoning on Anthropic models.', 'response_format');
  const format = request.response_format!;
  let schema: Record<string, unknown> = { type: 'object' };
  let description = 'Respond with a JSON object.';
  if (format.type === 'json_schema') {
    const given = format.json_schema?.schema;
    if (given) {
      if (given.type !== 'object')
        throw new Refusal('response_format.json_schema.schema must describe an object on Anthropic models.', 'response_format', 'invalid_value');
      schema = given;
    }
    const desc = (format.json_schema as { description?: unknown } | undefined)?.description;
    description = `Respond with a JSON object${format.json_schema?.name ? ` (${format.json_schema.name})` : ''}.${typeof desc === 'string' ? ` ${desc}` : ''}`;
  }
  body.tools = [{ name: JSON_TOOL_NAME, description, input_schema: schema }];
  body.tool_choice = { type: 'tool', name: JSON_TOOL_NAME };
}
