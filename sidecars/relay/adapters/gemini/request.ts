/**
 * Canonical (OpenAI) chat request → Gemini generateContent request. Pure; refuses with a 400
 * what Gemini cannot be asked, and lists in `dropped` what it had to leave out inside what it
 * translates (schema keywords, cache_control, ...). Request fields Gemini has no counterpart
 * for (logit_bias, logprobs, parallel_tool_calls: false, ...) are not read: the relay counts them
 * by lib/translation-policy's rules.
 */

import type { GatewayError } from '../../../../lib/errors';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { isObject, parseNestedJson } from '../../../../lib/validate';
import { AlternatingTurns } from '../turns';
import { Refusal, type UpstreamHttpRequest, unsupported } from '../types';
import { type SchemaBudget, SchemaError, schemaBudget, toGeminiSchema } from './schema';

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { id?: string; name: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
  [key: string]: unknown;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The upstream request plus what could not be expressed for Gemini (a metric counts these). */
export interface GeminiUpstreamRequest extends UpstreamHttpRequest {
  /** Stable identifiers: 'cache_control', 'reasoning_content', 'logprobs', 'schema:additionalProperties', ... */
  dropped: string[];
}

/**
 * Tool calls carry Gemini's thought signature the way Google's own OpenAI-compatible endpoint
 * does (`extra_content.google.thought_signature`), so clients that replay assistant messages
 * as received round-trip it.
 */
export interface GoogleExtraContent {
  extra_content?: { google?: { thought_signature?: string } };
}

/**
 * Google's documented placeholder for a function call whose signature was lost (history from
 * another model, or a client that rebuilds messages); Gemini 3 rejects unsigned calls otherwise.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/**
 * reasoning_effort → thinkingBudget (tokens). 512 is the smallest budget every 2.5 model takes.
 * Maps, here and below: the keys come from the client and must never find inherited properties.
 */
const THINKING_BUDGET: ReadonlyMap<string, number> = new Map([
  ['none', 0],
  ['minimal', 512],
  ['low', 1024],
  ['medium', 8192],
  ['high', 24576],
]);

const IMAGE_TYPES: ReadonlyMap<string, string> = new Map([
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['webp', 'image/webp'],
  ['heic', 'image/heic'],
  ['heif', 'image/heif'],
  ['gif', 'image/gif'],
]);

/** generationConfig.candidateCount: Google documents 1 to 8 candidates; a larger `n` is refused here, not forwarded. */
export const MAX_CANDIDATES = 8;

/** Base URL → the versioned API root: accepts https://host, https://host/ and https://host/v1beta. */
export function geminiApiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1(beta\d*|alpha)?$/.test(trimmed) ? trimmed : `${trimmed}/v1beta`;
}

export function modelPath(model: string): string {
  // "models/x" and tuned models ("tunedModels/x") are already resource names.
  return model.includes('/') ? model : `models/${model}`;
}

/** Where the target's model generates: streamed as server-sent events, or one JSON answer. */
export function generateContentUrl(target: PlanTarget, stream: boolean): string {
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${geminiApiRoot(target.baseUrl)}/${modelPath(target.model)}:${method}`;
}

function parseDataUrl(url: string): { mimeType: string; data: string } | null {
  const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  return match ? { mimeType: match[1], data: match[3] } : null;
}

function imagePart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) {
    const inline = parseDataUrl(url);
    if (!inline) throw new Refusal('image data URLs must be base64 encoded (data:<mime>;base64,<data>)', param);
    return { inlineData: inline };
  }
  if (/^https?:\/\//i.test(url)) {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      throw new Refusal('image_url.url is not a valid URL', param);
    }
    const ext = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
    const mimeType = ext ? IMAGE_TYPES.get(ext) : undefined;
    if (!mimeType) {
      throw new Refusal(
        'Gemini needs the image type of an image URL, and it cannot be inferred from this URL (no .png/.jpg/.jpeg/.webp/.heic/.heif/.gif extension); send the image as a base64 data: URL instead',
        param,
      );
    }
    return { fileData: { mimeType, fileUri: url } };
  }
  throw new Refusal('image_url.url must be a data: URL or an http(s) URL', param);
}

function contentParts(content: ChatMessage['content'], param: string, dropped: Set<string>): GeminiPart[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) throw new Refusal('content must be a string or an array of content parts', param);
  const parts: GeminiPart[] = [];
  content.forEach((part: ContentPart, i) => {
    const where = `${param}[${i}]`;
    if (!isObject(part)) throw new Refusal('content parts must be objects', where);
    const p = part as Record<string, unknown>;
    if (p.cache_control !== undefined) dropped.add('cache_control');
    if (p.type === 'text') {
      if (typeof p.text === 'string' && p.text !== '') parts.push({ text: p.text });
    } else if (p.type === 'image_url') {
      const image = p.image_url as { url?: unknown } | undefined;
      if (typeof image?.url !== 'string') throw new Refusal('image_url.url is required', where);
      parts.push(imagePart(image.url, `${where}.image_url.url`));
    } else if (p.type === 'input_audio') {
      const audio = p.input_audio as { data?: unknown; format?: unknown } | undefined;
      if (typeof audio?.data !== 'string' || typeof audio.format !== 'string') throw new Refusal('input_audio needs data and format', where);
      parts.push({ inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } });
    } else if (p.type === 'file') {
      const file = p.file as { file_data?: unknown } | undefined;
      const inline = typeof file?.file_data === 'string' ? parseDataUrl(file.file_data) : null;
      if (!inline) throw new Refusal('Gemini can take files only as base64 data: URLs in file.file_data (not file_id)', where);
      parts.push({ inlineData: inline });
    } else if (p.type === 'refusal') {
      // An earlier answer's refusal is left out of the history (the relay counts it).
    } else {
      throw new Refusal(`content part type "${String(p.type)}" is not supported for Gemini models`, `${where}.type`);
    }
  });
  return parts;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (isObject(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

function parseArgs(call: ToolCall, param: string): Record<string, unknown> {
  const raw: unknown = call.function?.arguments ?? '';
  if (typeof raw !== 'string') throw new Refusal('tool call arguments must be a string of JSON', param);
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Refusal('tool call arguments must be valid JSON for Gemini models', param);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Refusal('tool call arguments must be a JSON object for Gemini models', param);
  return parsed as Record<string, unknown>;
}

/** A tool's JSON answer is sent as JSON; anything else (or JSON nested past the gateway's bound) as text. */
function toolResult(content: ChatMessage['content']): unknown {
  const text = textOf(content);
  const parsed = parseNestedJson(text);
  return parsed === undefined ? text : parsed;
}

interface Conversation {
  systemParts: GeminiPart[];
  contents: GeminiContent[];
}

function convertMessages(messages: ChatMessage[], signUnsigned: boolean, dropped: Set<string>): Conversation {
  const systemParts: GeminiPart[] = [];
  const turns = new AlternatingTurns<GeminiContent['role'], GeminiPart>();
  const callNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => turns.push(role, parts);

  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (!isObject(message)) throw new Refusal('messages must be objects', param);
    if (message.name !== undefined) dropped.add('name');
    switch (message.role) {
      case 'system':
      case 'developer': {
        const parts = contentParts(message.content, `${param}.content`, dropped);
        // systemInstruction takes text only.
        if (parts.some((p) => p.text === undefined)) dropped.add('system_media');
        systemParts.push(...parts.filter((p) => p.text !== undefined));
        break;
      }
      case 'user':
        push('user', contentParts(message.content, `${param}.content`, dropped));
        break;
      case 'assistant': {
        if (message.reasoning_content) dropped.add('reasoning_content');
        const parts = contentParts(message.content, `${param}.content`, dropped);
        let signed = false;
        const calls: unknown = message.tool_calls ?? [];
        if (!Array.isArray(calls)) throw new Refusal('tool_calls must be an array', `${param}.tool_calls`);
        (calls as ToolCall[]).forEach((call, j) => {
          if (!isObject(call)) throw new Refusal('tool calls must be objects', `${param}.tool_calls[${j}]`);
          const name = call.function?.name;
          if (!name) throw new Refusal('tool call function name is required', `${param}.tool_calls[${j}].function.name`);
          callNames.set(call.id, name);
          const part: GeminiPart = { functionCall: { name, args: parseArgs(call, `${param}.tool_calls[${j}].function.arguments`) } };
          const signature = (call as ToolCall & GoogleExtraContent).extra_content?.google?.thought_signature;
          if (signature) part.thoughtSignature = signature;
          // Gemini 3 validates the first call of each step; a lost signature gets Google's placeholder.
          else if (signUnsigned && !signed && j === 0) part.thoughtSignature = SKIP_SIGNATURE;
          signed ||= part.thoughtSignature !== undefined;
          parts.push(part);
        });
        push('model', parts);
        break;
      }
      case 'tool': {
        const id = message.tool_call_id;
        const name = id === undefined ? undefined : callNames.get(id);
        if (!name) throw new Refusal(`tool message refers to tool_call_id "${String(id)}", which no earlier assistant tool call has`, `${param}.tool_call_id`);
        if (Array.isArray(message.content) && message.content.some((p) => isObject(p) && p.cache_control !== undefined)) dropped.add('cache_control');
        // Gemini matches responses to calls by name and order; the response must be an object.
        push('user', [{ functionResponse: { name, response: { result: toolResult(message.content) } } }]);
        break;
      }
      default:
        throw new Refusal(`message role "${String((message as { role?: unknown }).role)}" is not supported`, `${param}.role`);
    }
  });
  return { systemParts, contents: turns.list.map(({ role, items }) => ({ role, parts: items })) };
}

function convertTools(tools: FunctionTool[], dropped: Set<string>, budget: SchemaBudget): Record<string, unknown>[] {
  if (!Array.isArray(tools)) throw new Refusal('tools must be an array', 'tools');
  const declarations = tools.map((tool, i) => {
    if (tool?.type !== 'function' || !tool.function?.name) throw new Refusal('only function tools are supported for Gemini models', `tools[${i}]`);
    if (tool.cache_control !== undefined) dropped.add('cache_control');
    if (tool.function.strict) dropped.add('strict');
    const declaration: Record<string, unknown> = { name: tool.function.name };
    if (tool.function.description) declaration.description = tool.function.description;
    try {
      const parameters = toGeminiSchema(tool.function.parameters, dropped, budget);
      if (parameters) declaration.parameters = parameters;
    } catch (err) {
      if (err instanceof SchemaError) throw new Refusal(err.message, `tools[${i}].function.parameters`);
      throw err;
    }
    return declaration;
  });
  return [{ functionDeclarations: declarations }];
}

function convertToolChoice(choice: ChatRequest['tool_choice'] | null): Record<string, unknown> | undefined {
  if (choice == null) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (typeof choice === 'object' && choice.function?.name) return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  throw new Refusal('unsupported tool_choice', 'tool_choice');
}

function generationConfig(request: ChatRequest, dropped: Set<string>, budget: SchemaBudget): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (typeof request.top_k === 'number') config.topK = request.top_k;
  if (request.stop != null) {
    const stops = typeof request.stop === 'string' ? [request.stop] : request.stop;
    if (stops.length > 0) config.stopSequences = stops;
  }
  if (request.n != null && request.n !== 1) {
    if (typeof request.n !== 'number' || !Number.isInteger(request.n) || request.n < 1 || request.n > MAX_CANDIDATES) {
      throw new Refusal(`Gemini models return 1 to ${MAX_CANDIDATES} candidates; n must be between 1 and ${MAX_CANDIDATES}`, 'n');
    }
    config.candidateCount = request.n;
  }
  if (request.seed != null) config.seed = request.seed;
  if (typeof request.presence_penalty === 'number') config.presencePenalty = request.presence_penalty;
  if (typeof request.frequency_penalty === 'number') config.frequencyPenalty = request.frequency_penalty;

  const format = request.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    try {
      const schema = toGeminiSchema(format.json_schema?.schema, dropped, budget);
      if (schema) config.responseSchema = schema;
    } catch (err) {
      if (err instanceof SchemaError) throw new Refusal(err.message, 'response_format.json_schema.schema');
      throw err;
    }
  }

  const effort = request.reasoning_effort;
  if (typeof effort === 'string') {
    const budget = THINKING_BUDGET.get(effort);
    if (budget === undefined) throw new Refusal(`unsupported reasoning_effort "${effort}"`, 'reasoning_effort');
    // Thought summaries come back as reasoning_content when the caller asked for reasoning.
    config.thinkingConfig = budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
  }
  return config;
}

/** Gemini 3 rejects unsigned function calls in history; older models have no such rule. */
function needsSignatures(model: string): boolean {
  return /gemini-3/i.test(model);
}

export function buildGeminiRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): GeminiUpstreamRequest | GatewayError {
  const dropped = new Set<string>();
  try {
    if (!Array.isArray(request.messages)) throw new Refusal('messages must be an array', 'messages');
    const { systemParts, contents } = convertMessages(request.messages, needsSignatures(target.model), dropped);
    const body: Record<string, unknown> = { contents };
    if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };
    // One budget for every schema in the request, so many tools cannot multiply it.
    const budget = schemaBudget();
    if (request.tools && request.tools.length > 0) body.tools = convertTools(request.tools, dropped, budget);
    const toolConfig = convertToolChoice(request.tool_choice);
    if (toolConfig) body.toolConfig = toolConfig;
    const config = generationConfig(request, dropped, budget);
    if (Object.keys(config).length > 0) body.generationConfig = config;

    const stream = request.stream === true;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    // The key goes in a header, never the URL, so it cannot leak into access logs.
    if (apiKey) headers['x-goog-api-key'] = apiKey;
    return {
      url: generateContentUrl(target, stream),
      headers,
      body: JSON.stringify(body),
      dropped: [...dropped].sort(),
    };
  } catch (err) {
    // Gemini's refusals are all features it has no counterpart for.
    if (err instanceof Refusal) return unsupported(err.message, err.param);
    throw err;
  }
}
