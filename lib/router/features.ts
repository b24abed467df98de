/**
 * What a router reads of a request: a few features of the conversation in any of the four client
 * formats (OpenAI chat, Anthropic Messages, OpenAI Responses, Google GenAI) plus the headers and
 * the key's and team's metadata. One pass over the messages, bounded text kept (the last user
 * text for embedding, a capped sample for code detection); never throws, whatever the body holds.
 */
import type { Endpoint } from '../plan';
import { estimatePromptTokens } from '../tokens';
import type { PolicyFormat } from '../translation-policy';
import type { LastRole } from './config';

/** The conversation format (conversationFormatOf's answer for the request's path). */
export type ConversationFormat = PolicyFormat;

export interface FeatureContext {
  /** Request headers as Kong gives them (names lower-cased). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  keyMetadata: Readonly<Record<string, unknown>>;
  teamMetadata: Readonly<Record<string, unknown>>;
  stream: boolean;
}

export interface RequestFeatures {
  /** o200k estimate of the whole prompt (lib/tokens). */
  promptTokens: number;
  hasTools: boolean;
  hasImages: boolean;
  /** Code in a user text: a fence, or several lines that read like source. */
  hasCode: boolean;
  /** The request asks for JSON output (a JSON response format, a JSON MIME type, an output schema). */
  jsonMode: boolean;
  /** Messages in the conversation, system prompts not counted. */
  depth: number;
  /** Role of the last message; a tool result (even inside a user message) is `tool`; `none` for an empty conversation. */
  lastRole: LastRole | 'none';
  /** The last user text, at most LAST_USER_TEXT_CHARS (its start and end): what semantic routes and difficulty embed. */
  lastUserText: string;
  stream: boolean;
  headers: FeatureContext['headers'];
  keyMetadata: FeatureContext['keyMetadata'];
  teamMetadata: FeatureContext['teamMetadata'];
}

export const LAST_USER_TEXT_CHARS = 4096;
/** User text scanned for code: the latest texts first, this much in all. */
const CODE_SCAN_CHARS = 32 * 1024;

const ENDPOINT_OF_FORMAT: Readonly<Record<ConversationFormat, Endpoint>> = {
  openai: 'chat.completions',
  anthropic: 'messages',
  responses: 'responses',
  google: 'generateContent',
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One message as the router reads it: its role and its user-visible text. */
interface ReadMessage {
  role: LastRole | 'system';
  text: string;
  hasImage: boolean;
}

const IMAGE_PARTS = new Set(['image_url', 'image', 'input_image']);
const TOOL_RESULT_PARTS = new Set(['tool_result', 'function_call_output']);
const TEXT_PARTS = new Set(['text', 'input_text', 'output_text']);

/** The request's features; `body` is the parsed JSON body (anything: a hostile body yields neutral features). */
export function requestFeatures(body: unknown, format: ConversationFormat, context: FeatureContext): RequestFeatures {
  const json = isObject(body) ? body : {};
  const messages = readMessages(json, format);
  let lastUser: ReadMessage | undefined;
  let depth = 0;
  let hasImages = false;
  for (const message of messages) {
    if (message.role === 'system') continue;
    depth++;
    hasImages ||= message.hasImage;
    if (message.role === 'user') lastUser = message;
  }
  const last = messages.length > 0 ? messages[messages.length - 1]! : undefined;
  return {
    promptTokens: safeTokenEstimate(json, format),
    hasTools: hasTools(json, format),
    hasImages,
    hasCode: hasCode(messages),
    jsonMode: jsonMode(json, format),
    depth,
    lastRole: last && last.role !== 'system' ? last.role : 'none',
    lastUserText: bounded(lastUser?.text ?? ''),
    stream: context.stream === true,
    headers: context.headers ?? {},
    keyMetadata: context.keyMetadata ?? {},
    teamMetadata: context.teamMetadata ?? {},
  };
}

function safeTokenEstimate(body: Json, format: ConversationFormat): number {
  try {
    return estimatePromptTokens(body, ENDPOINT_OF_FORMAT[format]);
  } catch {
    // The estimate never throws on a parsed body; a router must not fail a request if it ever did.
    return 0;
  }
}

/** The first and last halves of a long text (an instruction is usually at one end). */
function bounded(text: string): string {
  if (text.length <= LAST_USER_TEXT_CHARS) return text;
  const half = LAST_USER_TEXT_CHARS / 2;
  return `${text.slice(0, half)}\n${text.slice(text.length - half)}`;
}

function readMessages(body: Json, format: ConversationFormat): ReadMessage[] {
  switch (format) {
    case 'openai':
    case 'anthropic':
      return Array.isArray(body.messages) ? body.messages.map(readChatMessage) : [];
    case 'responses':
      if (typeof body.input === 'string') return [{ role: 'user', text: body.input, hasImage: false }];
      return Array.isArray(body.input) ? body.input.map(readResponsesItem) : [];
    case 'google':
      return Array.isArray(body.contents) ? body.contents.map(readGoogleContent) : [];
  }
}

/** Text of a message's content (a string, or parts); tool results and images noted. */
function readContent(content: unknown): { text: string; hasImage: boolean; toolResultOnly: boolean } {
  if (typeof content === 'string') return { text: content, hasImage: false, toolResultOnly: false };
  if (!Array.isArray(content)) return { text: '', hasImage: false, toolResultOnly: false };
  const texts: string[] = [];
  let hasImage = false;
  let toolResults = 0;
  let others = 0;
  for (const part of content) {
    if (typeof part === 'string') {
      texts.push(part);
      others++;
      continue;
    }
    if (!isObject(part)) continue;
    const type = part.type;
    if (typeof type === 'string' && IMAGE_PARTS.has(type)) hasImage = true;
    if (typeof type === 'string' && TOOL_RESULT_PARTS.has(type)) toolResults++;
    else others++;
    if (typeof type === 'string' && TEXT_PARTS.has(type) && typeof part.text === 'string') texts.push(part.text);
  }
  return { text: texts.join('\n'), hasImage, toolResultOnly: toolResults > 0 && others === 0 };
}

function roleOf(role: unknown, toolResultOnly: boolean): ReadMessage['role'] {
  if (role === 'tool' || role === 'function' || toolResultOnly) return 'tool';
  if (role === 'assistant' || role === 'model') return 'assistant';
  if (role === 'system' || role === 'developer') return 'system';
  return 'user';
}

function readChatMessage(message: unknown): ReadMessage {
  if (!isObject(message)) return { role: 'user', text: '', hasImage: false };
  const content = readContent(message.content);
  const role = roleOf(message.role, content.toolResultOnly);
  return { role, text: role === 'tool' ? '' : content.text, hasImage: content.hasImage };
}

function readResponsesItem(item: unknown): ReadMessage {
  if (!isObject(item)) return { role: 'user', text: '', hasImage: false };
  const type = item.type ?? 'message';
  if (type === 'function_call_output' || type === 'custom_tool_call_output') return { role: 'tool', text: '', hasImage: false };
  if (type !== 'message') return { role: 'assistant', text: '', hasImage: false };
  return readChatMessage(item);
}

function readGoogleContent(content: unknown): ReadMessage {
  if (!isObject(content)) return { role: 'user', text: '', hasImage: false };
  const texts: string[] = [];
  let hasImage = false;
  let responses = 0;
  let others = 0;
  for (const part of Array.isArray(content.parts) ? content.parts : []) {
    if (!isObject(part)) continue;
    if (isObject(part.functionResponse)) {
      responses++;
      continue;
    }
    others++;
    if (typeof part.text === 'string') texts.push(part.text);
    const media = isObject(part.inlineData) ? part.inlineData : isObject(part.fileData) ? part.fileData : null;
    if (media && typeof media.mimeType === 'string' && media.mimeType.startsWith('image/')) hasImage = true;
  }
  const role = roleOf(content.role, responses > 0 && others === 0);
  return { role, text: role === 'tool' ? '' : texts.join('\n'), hasImage };
}

function hasTools(body: Json, format: ConversationFormat): boolean {
  if (format === 'google') {
    return Array.isArray(body.tools) && body.tools.some((tool) => isObject(tool) && Object.keys(tool).length > 0);
  }
  return (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
}

const isJsonFormat = (format: unknown): boolean => isObject(format) && (format.type === 'json_object' || format.type === 'json_schema');

function jsonMode(body: Json, format: ConversationFormat): boolean {
  switch (format) {
    case 'openai':
      return isJsonFormat(body.response_format);
    case 'responses':
      return isObject(body.text) && isJsonFormat(body.text.format);
    case 'anthropic':
      return isJsonFormat(body.output_format) || (isObject(body.output_config) && isJsonFormat(body.output_config.format));
    case 'google': {
      const config = isObject(body.generationConfig) ? body.generationConfig : {};
      return config.responseMimeType === 'application/json' || config.responseSchema !== undefined || config.responseJsonSchema !== undefined;
    }
  }
}

/** A code fence, or a line that reads like source (a statement end, a declaration, an include). */
const CODE_FENCE = /```|~~~/;
const SOURCE_LINE =
  /^\s*(?:def |class |function |import |from \S+ import |#include|public |private |fn |func |let |const |var |SELECT |INSERT |return\b|if \(|for \(|while \().*|[;{}][ \t]*$/gim;
const SOURCE_LINES_FOR_CODE = 3;

function hasCode(messages: readonly ReadMessage[]): boolean {
  let budget = CODE_SCAN_CHARS;
  for (let i = messages.length - 1; i >= 0 && budget > 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user' || message.text.length === 0) continue;
    const text = message.text.length > budget ? message.text.slice(0, budget) : message.text;
    budget -= text.length;
    if (CODE_FENCE.test(text)) return true;
    let lines = 0;
    SOURCE_LINE.lastIndex = 0;
    while (SOURCE_LINE.exec(text) !== null) {
      if (++lines >= SOURCE_LINES_FOR_CODE) return true;
    }
  }
  return false;
}
