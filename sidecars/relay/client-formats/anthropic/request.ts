/**
 * Anthropic Messages request (the client side of POST /v1/messages) → canonical chat request,
 * so Claude Code and the Anthropic SDK can reach any configured model. Anthropic-only features
 * ride along as canonical extensions that the Anthropic adapter reads back verbatim:
 * `cache_control` on parts and tools, `thinking` (exact budget), `top_k`, `is_error` on tool
 * messages, `thinking_blocks` (signed thinking) on assistant messages, and `anthropic_fields`
 * (top-level fields with no canonical form, output_config among them). Structured outputs
 * (`output_config.format`, or the deprecated `output_format`) become `response_format`.
 * `anthropicRequestForTarget` takes out, per target family, what lib/translation-policy does
 * not translate for it (the relay counts those).
 */

import { gatewayError } from '../../../../lib/errors';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, TextPart, ToolCall } from '../../../../lib/openai-types';
import { ANTHROPIC_RULES, type AnthropicFeature, type Family } from '../../../../lib/translation-policy';
import { isObject, validateClientRequest } from '../../../../lib/validate';
import { type AnthropicContentBlock, type AnthropicThinking, type CacheControl, VERBATIM_FIELDS } from '../../adapters/anthropic/wire';
import type { CanonicalRequest } from '../client-format';

/** A 400 in Anthropic's terms: its error type says it all, so no code (the message would carry it). */
const refusal = (message: string, param: string | null): CanonicalRequest => ({ ok: false, refusal: gatewayError(400, message, null, param) });

/** Valid Anthropic input the gateway cannot express for every target: a 400 naming where. */
class Unsupported extends Error {}

/**
 * Validated by the shared /v1/messages validator (lib/validate), which words its 400s as
 * Anthropic does ("messages.0.role: ..."); the translation below relies on the shapes it checked.
 */
export function anthropicRequestToChat(body: unknown): CanonicalRequest {
  const validation = validateClientRequest('messages', body);
  if (!validation.ok) return refusal(validation.message, validation.param);
  try {
    return { ok: true, request: toChat(body as Record<string, unknown>) };
  } catch (err) {
    if (err instanceof Unsupported) return refusal(err.message, null);
    throw err;
  }
}

function toChat(body: Record<string, unknown>): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = body.system as string | Array<Record<string, unknown>> | undefined;
  if (typeof system === 'string') {
    if (system !== '') messages.push({ role: 'system', content: system });
  } else if (Array.isArray(system) && system.length > 0) {
    messages.push({ role: 'system', content: system.map(textPart) });
  }
  (body.messages as Array<{ role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> }>).forEach((m, i) => {
    if (m.role === 'user') messages.push(...userMessages(m.content, `messages.${i}`));
    else messages.push(assistantMessage(m.content, `messages.${i}`));
  });

  const request: ChatRequest = { model: body.model as string, messages, max_completion_tokens: body.max_tokens as number };
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) request.stop = body.stop_sequences as string[];
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (typeof body.top_k === 'number') request.top_k = body.top_k;
  if (body.stream === true) {
    request.stream = true;
    // The stream encoder ends with Anthropic's usage, so the usage chunk is always needed.
    request.stream_options = { include_usage: true };
  }
  const userId = isObject(body.metadata) ? body.metadata.user_id : undefined;
  if (typeof userId === 'string' && userId !== '') request.user = userId;

  if (Array.isArray(body.tools) && body.tools.length > 0) request.tools = (body.tools as Array<Record<string, unknown>>).map(tool);
  const choice = body.tool_choice;
  if (isObject(choice)) {
    request.tool_choice = choice.type === 'tool' ? { type: 'function', function: { name: choice.name as string } } : TOOL_CHOICES.get(choice.type as string);
    if (choice.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
  }

  if (isObject(body.thinking)) {
    const thinking = body.thinking as unknown as AnthropicThinking;
    if (thinking.type === 'enabled' || thinking.type === 'adaptive') {
      // Exact for Anthropic targets; reasoning_effort is the nearest OpenAI setting for the others.
      request.thinking = thinking;
      request.reasoning_effort = thinking.type === 'adaptive' ? 'medium' : effortFor(thinking.budget_tokens);
    }
  }

  const output = outputConfig(body);
  const format = output.format as { type?: unknown; schema?: Record<string, unknown> } | undefined;
  if (format?.type === 'json_schema') {
    // Anthropic's structured outputs always match the schema: strict is OpenAI's counterpart.
    request.response_format = { type: 'json_schema', json_schema: { name: STRUCTURED_OUTPUT_NAME, schema: format.schema, strict: true } };
  }
  const verbatim = anthropicFields(body, output);
  if (verbatim) request.anthropic_fields = verbatim;
  return request;
}

/** OpenAI's json_schema response format needs a name; Anthropic's structured outputs have none. */
const STRUCTURED_OUTPUT_NAME = 'structured_output';

/** output_config, with the deprecated output_format as its format when output_config has none. */
function outputConfig(body: Record<string, unknown>): Record<string, unknown> {
  const config = isObject(body.output_config) ? body.output_config : {};
  if (config.format != null || !isObject(body.output_format)) return config;
  return { ...config, format: body.output_format };
}

/** What rides along for Claude: the verbatim fields as sent, output_config with output_format as its GA form. */
function anthropicFields(body: Record<string, unknown>, output: Record<string, unknown>): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  for (const key of VERBATIM_FIELDS) if (body[key] != null) fields[key] = body[key];
  if (Object.keys(output).length > 0) fields.output_config = output;
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** Anthropic's tool_choice types (validated) → OpenAI's; `tool` names its function. */
const TOOL_CHOICES: ReadonlyMap<string, ChatRequest['tool_choice']> = new Map([
  ['auto', 'auto'],
  ['any', 'required'],
  ['none', 'none'],
]);

/** Budgets below the gateway's medium (8192) are low, up to its high (16384) medium, beyond high. */
export function effortFor(budget: number): 'low' | 'medium' | 'high' {
  if (budget < 8192) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function cacheControl(block: Record<string, unknown>): { cache_control?: CacheControl } {
  const cc = block.cache_control;
  return isObject(cc) && cc.type === 'ephemeral' ? { cache_control: cc as unknown as CacheControl } : {};
}

/** A text block (validated: `text` is a string). */
function textPart(block: Record<string, unknown>): TextPart {
  return { type: 'text', text: block.text as string, ...cacheControl(block) };
}

function imagePart(block: Record<string, unknown>, where: string): ContentPart {
  const source = isObject(block.source) ? block.source : {};
  let url: string;
  if (source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string')
    url = `data:${source.media_type};base64,${source.data}`;
  else if (source.type === 'url' && typeof source.url === 'string') url = source.url;
  else throw new Unsupported(`${where}.source: only base64 and url image sources are supported through the gateway`);
  return { type: 'image_url', image_url: { url }, ...cacheControl(block) };
}

function documentPart(block: Record<string, unknown>, where: string): ContentPart {
  const source = isObject(block.source) ? block.source : {};
  if (source.type === 'base64' && source.media_type === 'application/pdf' && typeof source.data === 'string') {
    const file: Record<string, unknown> = { file_data: `data:application/pdf;base64,${source.data}` };
    if (typeof block.title === 'string') file.filename = block.title;
    return { type: 'file', file, ...cacheControl(block) };
  }
  if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data, ...cacheControl(block) };
  throw new Unsupported(`${where}.source: only base64 PDF and plain-text documents are supported through the gateway`);
}

/**
 * One Anthropic user turn → tool messages (one per tool_result, first, as OpenAI wants them right
 * after the assistant's calls) and then a user message with the rest. Images inside a tool result
 * cannot sit in an OpenAI tool message, so they follow in that user message.
 */
function userMessages(content: string | Array<Record<string, unknown>>, where: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, j) => {
    const at = `${where}.content.${j}`;
    switch (block.type) {
      case 'text':
        parts.push(textPart(block));
        break;
      case 'image':
        parts.push(imagePart(block, at));
        break;
      case 'document':
        parts.push(documentPart(block, at));
        break;
      case 'tool_result':
        tools.push(toolMessage(block, at, parts));
        break;
      default:
        throw new Unsupported(`${at}: content block type '${String(block.type)}' is not supported through the gateway`);
    }
  });
  return parts.length > 0 ? [...tools, { role: 'user', content: parts }] : tools;
}

function toolMessage(block: Record<string, unknown>, where: string, userParts: ContentPart[]): ChatMessage {
  const message: ChatMessage = { role: 'tool', tool_call_id: block.tool_use_id as string, content: '' };
  const cc = cacheControl(block);
  if (typeof block.content === 'string') {
    message.content = cc.cache_control ? [{ type: 'text', text: block.content, ...cc }] : block.content;
  } else if (Array.isArray(block.content)) {
    const texts: TextPart[] = [];
    (block.content as Array<Record<string, unknown>>).forEach((inner, k) => {
      if (inner.type === 'image') userParts.push(imagePart(inner, `${where}.content.${k}`));
      else if (inner.type === 'text') texts.push(textPart(inner));
      else if (inner.type === 'document') userParts.push(documentPart(inner, `${where}.content.${k}`));
      else throw new Unsupported(`${where}.content.${k}: tool results can hold text, images and documents`);
    });
    if (cc.cache_control && texts.length > 0) texts[texts.length - 1] = { ...texts[texts.length - 1], ...cc };
    message.content = texts;
  }
  if (block.is_error === true) (message as ChatMessage & { is_error?: boolean }).is_error = true;
  return message;
}

function assistantMessage(content: string | Array<Record<string, unknown>>, where: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: AnthropicContentBlock[] = [];
  let reasoning = '';
  content.forEach((block, j) => {
    const at = `${where}.content.${j}`;
    if (block.type === 'text') texts.push(textPart(block));
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id as string, type: 'function', function: { name: block.name as string, arguments: JSON.stringify(block.input) } });
    } else if (block.type === 'thinking') {
      const thinking = block.thinking as string;
      const signature = block.signature as string;
      reasoning += thinking;
      // Only signed thinking can be replayed to Anthropic; an empty signature would be rejected.
      if (signature !== '') thinkingBlocks.push({ type: 'thinking', thinking, signature });
    } else if (block.type === 'redacted_thinking') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data as string });
    } else throw new Unsupported(`${at}: content block type '${String(block.type)}' is not supported through the gateway`);
  });
  const plain = texts.every((t) => !t.cache_control);
  const message: ChatMessage = {
    role: 'assistant',
    content: texts.length === 0 ? null : plain ? texts.map((t) => t.text).join('') : texts,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) (message as ChatMessage & { thinking_blocks?: unknown }).thinking_blocks = thinkingBlocks;
  return message;
}

function tool(t: Record<string, unknown>, i: number): FunctionTool {
  if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
    throw new Unsupported(`tools.${i}: server tool '${String(t.type)}' is not supported through the gateway; only custom tools are`);
  }
  const fn: FunctionTool['function'] = { name: t.name as string, parameters: t.input_schema as Record<string, unknown> };
  if (typeof t.description === 'string') fn.description = t.description;
  if (t.strict === true) fn.strict = true;
  return { type: 'function', function: fn, ...cacheControl(t) };
}

/**
 * The canonical request as a target of `family` gets it. Claude keeps every extension: they are
 * Anthropic's own. The others lose Anthropic's own forms of what they get translated (thinking →
 * reasoning_effort, output_config → response_format) and what lib/translation-policy does not
 * translate for them, which the relay counts.
 */
export function anthropicRequestForTarget(request: ChatRequest, family: Family): ChatRequest {
  if (family === 'anthropic') return request;
  const keeps = (feature: AnthropicFeature): boolean => ANTHROPIC_RULES[feature].to[family] === 'translated';
  const withoutCache = <T extends object>(item: T): T => {
    if (keeps('cache_control') || !Object.hasOwn(item, 'cache_control')) return item;
    const { cache_control: _c, ...plain } = item as T & { cache_control?: unknown };
    void _c;
    return plain as T;
  };
  const { thinking: _t, top_k, anthropic_fields: _f, ...rest } = request;
  void _t;
  void _f;
  return {
    ...rest,
    ...(keeps('top_k') && top_k !== undefined ? { top_k } : {}),
    messages: request.messages.map((m) => {
      const { is_error, thinking_blocks: _b, reasoning_content, ...message } = m as ChatMessage & { is_error?: unknown; thinking_blocks?: unknown };
      void _b;
      const kept: ChatMessage = Array.isArray(message.content) ? { ...message, content: message.content.map(withoutCache) } : message;
      if (reasoning_content !== undefined && keeps('block:thinking')) kept.reasoning_content = reasoning_content;
      return is_error !== undefined && keeps('is_error') ? ({ ...kept, is_error } as ChatMessage) : kept;
    }),
    ...(request.tools ? { tools: request.tools.map(withoutCache) } : {}),
  };
}
