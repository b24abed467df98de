/**
 * One walk over a request body in the formats the gateway accepts (OpenAI chat completions,
 * OpenAI embeddings, Anthropic Messages, OpenAI Responses; Google GenAI in generate-content-walk.ts), reporting to a visitor everything a provider may render
 * into the prompt. The bound (prompt-shape.ts) and the estimate (estimate.ts) are two visitors, so
 * they can never disagree about what counts. Binary payloads (base64 images, PDFs, audio) are
 * never read as text: images are counted, other media reported as unbounded.
 */
import type { Endpoint } from '../plan';
import { walkGenerateContent } from './generate-content-walk';

export interface PromptVisitor {
  /** Text rendered as is: message text, names, roles, ids, system prompts. */
  text(text: string): void;
  /** A string holding JSON that may be parsed and rendered again: tool-call arguments, tool results. */
  jsonText(text: string): void;
  /** A structure rendered as JSON: tool definitions, tool inputs, response formats, unknown fields. */
  jsonValue(value: unknown): void;
  /** Token ids sent as numbers (embeddings input): exactly one token each. */
  tokenIds(count: number): void;
  message(): void;
  image(): void;
  /** Something whose tokens the request cannot bound: documents, audio, files, unknown parts. */
  unbounded(reason: string): void;
  toolDefinition(): void;
  toolCall(name: string): void;
  toolResult(): void;
  embeddingInput(): void;
  /** Tools, or a JSON mode some providers implement with a forced tool (the Anthropic adapter). */
  usesTools(): void;
}

/** Top-level request fields that are settings, never rendered into the prompt. */
const SETTINGS = new Set([
  'model',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'n',
  'stop',
  'stop_sequences',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'metadata',
  'service_tier',
  'store',
  'parallel_tool_calls',
  'reasoning_effort',
  'reasoning',
  'thinking',
  'prediction',
  'verbosity',
  'modalities',
  'audio',
  'encoding_format',
  'dimensions',
  'safety_identifier',
  'prompt_cache_key',
  // Responses API settings (its context and instructions are walked).
  'max_output_tokens',
  'previous_response_id',
  'include',
  'truncation',
]);

/** Top-level fields that make a provider add content the request does not hold. */
const UNBOUNDED_FIELDS: Record<string, string> = {
  // A request-supplied chat template can repeat the prompt any number of times (vLLM, SGLang).
  chat_template: 'chat_template',
  chat_template_kwargs: 'chat_template_kwargs',
  // Search results and remote tools are added to the prompt by the provider.
  web_search_options: 'web search',
  mcp_servers: 'MCP servers',
};

/** Message fields that are metadata, not prompt. */
const MESSAGE_METADATA = new Set(['cache_control', 'is_error']);

const IMAGE_PARTS = new Set(['image_url', 'image', 'input_image']);

export function walkRequest(body: Record<string, unknown>, endpoint: Endpoint, visitor: PromptVisitor): void {
  if (endpoint === 'generateContent') return walkGenerateContent(body, visitor);
  for (const key in body) {
    const value = body[key];
    if (value === undefined || value === null || SETTINGS.has(key)) continue;
    if (key in UNBOUNDED_FIELDS) {
      visitor.unbounded(UNBOUNDED_FIELDS[key]);
      continue;
    }
    switch (key) {
      case 'input':
        if (endpoint === 'embeddings') walkEmbeddingsInput(value, visitor);
        else if (endpoint === 'responses' || endpoint === 'responses.input_tokens') walkResponsesInput(value, visitor);
        else visitor.jsonValue(value);
        break;
      case 'instructions':
        // The Responses API's system prompt: a message of its own once rendered.
        visitor.message();
        walkContent(value, false, visitor);
        break;
      case 'text':
        // The Responses API's output format (and verbosity); a JSON format may become a forced tool.
        visitor.jsonValue(value);
        if (isJsonMode((value as { format?: unknown } | null)?.format)) visitor.usesTools();
        break;
      case 'messages':
        if (Array.isArray(value)) for (const message of value) walkMessage(message, visitor);
        else visitor.jsonValue(value);
        break;
      case 'system':
        // Anthropic's top-level system prompt: a message of its own once rendered.
        visitor.message();
        walkContent(value, false, visitor);
        break;
      case 'tools':
      case 'functions':
        walkTools(value, visitor);
        break;
      case 'response_format':
        visitor.jsonValue(value);
        if (isJsonMode(value)) visitor.usesTools();
        break;
      default:
        // tool_choice, documents, and fields unknown here: bounded as if rendered as JSON.
        if (typeof value === 'string') visitor.text(value);
        else visitor.jsonValue(value);
    }
  }
}

function isJsonMode(format: unknown): boolean {
  const type = (format as { type?: unknown } | null)?.type;
  return type === 'json_object' || type === 'json_schema';
}

function walkTools(tools: unknown, visitor: PromptVisitor): void {
  if (!Array.isArray(tools)) return visitor.jsonValue(tools);
  if (tools.length > 0) visitor.usesTools();
  for (const tool of tools) {
    visitor.toolDefinition();
    visitor.jsonValue(tool);
  }
}

/** Responses input: a user message as a string, or items (messages, function calls and their outputs, reasoning). */
function walkResponsesInput(input: unknown, visitor: PromptVisitor): void {
  if (typeof input === 'string') {
    visitor.message();
    return visitor.text(input);
  }
  if (!Array.isArray(input)) return visitor.jsonValue(input);
  for (const item of input) walkResponsesItem(item, visitor);
}

function walkResponsesItem(item: unknown, visitor: PromptVisitor): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return visitor.jsonValue(item);
  const fields = item as Record<string, unknown>;
  switch (fields.type ?? 'message') {
    case 'message':
      return walkMessage(item, visitor);
    case 'function_call':
      // Rendered as an assistant message's tool call.
      visitor.message();
      walkStringField(fields.call_id, false, visitor);
      return walkFunction(fields, visitor);
    case 'function_call_output':
      visitor.message();
      visitor.toolResult();
      walkStringField(fields.call_id, false, visitor);
      if (fields.output !== undefined && fields.output !== null) walkContent(fields.output, true, visitor);
      return;
    default:
      // Reasoning sent back (its summary and encrypted content) and anything unknown: as JSON.
      return visitor.jsonValue(item);
  }
}

function walkEmbeddingsInput(input: unknown, visitor: PromptVisitor): void {
  if (typeof input === 'string') {
    visitor.embeddingInput();
    return visitor.text(input);
  }
  if (!Array.isArray(input)) return visitor.jsonValue(input);
  if (input.length > 0 && typeof input[0] === 'number') {
    visitor.embeddingInput();
    return visitor.tokenIds(input.length);
  }
  for (const item of input) {
    visitor.embeddingInput();
    if (typeof item === 'string') visitor.text(item);
    else if (Array.isArray(item) && item.every((n) => typeof n === 'number')) visitor.tokenIds(item.length);
    else visitor.jsonValue(item);
  }
}

function walkMessage(message: unknown, visitor: PromptVisitor): void {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return visitor.jsonValue(message);
  visitor.message();
  const fields = message as Record<string, unknown>;
  // A tool's answer may be parsed as JSON and rendered again (the Gemini adapter does).
  const isToolResult = fields.role === 'tool' || fields.role === 'function';
  if (isToolResult) visitor.toolResult();
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || value === null || MESSAGE_METADATA.has(key)) continue;
    switch (key) {
      case 'content':
        walkContent(value, isToolResult, visitor);
        break;
      case 'tool_calls':
        if (Array.isArray(value)) for (const call of value) walkToolCall(call, visitor);
        else visitor.jsonValue(value);
        break;
      case 'function_call':
        walkFunction(value, visitor);
        break;
      case 'thinking_blocks':
        walkContent(value, false, visitor);
        break;
      case 'audio':
        // A reference to an earlier spoken answer, billed as audio tokens.
        visitor.unbounded('assistant audio');
        break;
      default:
        // role, name, tool_call_id, reasoning_content, refusal, and anything unknown.
        if (typeof value === 'string') visitor.text(value);
        else visitor.jsonValue(value);
    }
  }
}

function walkToolCall(call: unknown, visitor: PromptVisitor): void {
  if (typeof call !== 'object' || call === null) return visitor.jsonValue(call);
  const fields = call as { id?: unknown; function?: unknown };
  if (typeof fields.id === 'string') visitor.text(fields.id);
  walkFunction(fields.function, visitor);
}

/** { name, arguments } of an OpenAI tool call (arguments is a JSON string). */
function walkFunction(fn: unknown, visitor: PromptVisitor): void {
  if (typeof fn !== 'object' || fn === null) return visitor.jsonValue(fn);
  const { name, arguments: args } = fn as { name?: unknown; arguments?: unknown };
  const toolName = typeof name === 'string' ? name : '';
  visitor.toolCall(toolName);
  visitor.text(toolName);
  if (typeof args === 'string') visitor.jsonText(args);
  else if (args !== undefined && args !== null) visitor.jsonValue(args);
}

function walkContent(content: unknown, asJson: boolean, visitor: PromptVisitor): void {
  if (typeof content === 'string') return asJson ? visitor.jsonText(content) : visitor.text(content);
  if (!Array.isArray(content)) return visitor.jsonValue(content);
  for (const part of content) walkPart(part, asJson, visitor);
}

/** One content part (OpenAI) or content block (Anthropic). */
function walkPart(part: unknown, asJson: boolean, visitor: PromptVisitor): void {
  if (typeof part === 'string') return asJson ? visitor.jsonText(part) : visitor.text(part);
  if (typeof part !== 'object' || part === null) return visitor.jsonValue(part);
  const block = part as Record<string, unknown>;
  const type = block.type;
  if (typeof type === 'string' && IMAGE_PARTS.has(type)) return visitor.image();
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return walkStringField(block.text, asJson, visitor);
    case 'refusal':
      return walkStringField(block.refusal, false, visitor);
    case 'thinking':
      walkStringField(block.thinking, false, visitor);
      // Opaque to us and maybe not tokenized at all; counted so the bound holds if it is.
      return walkStringField(block.signature, false, visitor);
    case 'redacted_thinking':
      // Encrypted thinking, billed as the thinking it hides: its ciphertext is at least as many
      // bytes as that text unless the provider compresses before encrypting (empirical).
      return walkStringField(block.data, false, visitor);
    case 'tool_use':
      visitor.toolCall(typeof block.name === 'string' ? block.name : '');
      walkStringField(block.id, false, visitor);
      walkStringField(block.name, false, visitor);
      return visitor.jsonValue(block.input ?? {});
    case 'tool_result':
      visitor.toolResult();
      walkStringField(block.tool_use_id, false, visitor);
      if (block.content !== undefined && block.content !== null) walkContent(block.content, true, visitor);
      return;
    case 'document':
      return walkDocument(block, visitor);
    default:
      // input_audio, file, input_file, search results, server tool blocks, unknown types.
      return visitor.unbounded(`content part ${typeof type === 'string' ? type : 'without a type'}`);
  }
}

/** Anthropic documents: plain-text sources are text; PDFs and others cannot be bounded. */
function walkDocument(block: Record<string, unknown>, visitor: PromptVisitor): void {
  const source = block.source as { type?: unknown; data?: unknown } | undefined;
  if (source?.type !== 'text' || typeof source.data !== 'string') return visitor.unbounded('document');
  visitor.text(source.data);
  walkStringField(block.title, false, visitor);
  walkStringField(block.context, false, visitor);
}

function walkStringField(value: unknown, asJson: boolean, visitor: PromptVisitor): void {
  if (typeof value === 'string') {
    if (asJson) visitor.jsonText(value);
    else visitor.text(value);
  } else if (value !== undefined && value !== null) visitor.jsonValue(value);
}
