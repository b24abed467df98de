/**
 * Responses request (the client side of POST /v1/responses) → canonical chat request, so Codex
 * and the openai SDK's `responses` client can reach any configured model. Input items become
 * chat messages: message items by role, consecutive function_call items one assistant message
 * with its tool calls, each function_call_output a tool message. Reasoning items sent back are
 * left out: only the provider that wrote them could read them (OpenAI targets get them through
 * the pass-through). `store`, `metadata` and `include` are the gateway's business, not the
 * model's. The body arrives validated (lib/validate) and, for a continuation, already holds the
 * earlier response's context (../../responses/continuation.ts).
 */
import { gatewayError } from '../../../../lib/errors';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall } from '../../../../lib/openai-types';
import { isObject, validateClientRequest } from '../../../../lib/validate';
import type { CanonicalRequest } from '../client-format';

type Item = Record<string, unknown>;
type Part = Record<string, unknown>;

export function responsesRequestToChat(body: Record<string, unknown>): CanonicalRequest {
  const validation = validateClientRequest('responses', body);
  if (!validation.ok) return { ok: false, refusal: gatewayError(400, validation.message, validation.code, validation.param) };
  return { ok: true, request: toChat(body) };
}

/** The body's input as items: a string is one user message. */
export function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return Array.isArray(input) ? (input as Item[]) : [];
}

function toChat(body: Record<string, unknown>): ChatRequest {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  messages.push(...itemsToMessages(inputItems(body.input)));

  const request: ChatRequest = { model: body.model as string, messages };
  if (typeof body.max_output_tokens === 'number') request.max_completion_tokens = body.max_output_tokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallel_tool_calls = body.parallel_tool_calls;
  if (body.stream === true) {
    request.stream = true;
    // The stream ends with response.completed, which carries usage: the usage chunk is always needed.
    request.stream_options = { include_usage: true };
  }
  for (const field of ['user', 'safety_identifier', 'prompt_cache_key'] as const) {
    if (typeof body[field] === 'string') request[field] = body[field];
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) request.tools = (body.tools as Item[]).map(functionTool);
  const choice = body.tool_choice;
  if (typeof choice === 'string') request.tool_choice = choice as ChatRequest['tool_choice'];
  else if (isObject(choice)) request.tool_choice = { type: 'function', function: { name: choice.name as string } };
  if (isObject(body.reasoning) && typeof body.reasoning.effort === 'string') request.reasoning_effort = body.reasoning.effort;
  if (isObject(body.text)) {
    const format = responseFormat(body.text.format);
    if (format) request.response_format = format;
    if (typeof body.text.verbosity === 'string') request.verbosity = body.text.verbosity;
  }
  return request;
}

/** `text.format` → `response_format`; plain text needs none. */
function responseFormat(format: unknown): ChatRequest['response_format'] | undefined {
  if (!isObject(format)) return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type !== 'json_schema') return undefined;
  const schema: Record<string, unknown> = { name: format.name, schema: format.schema };
  if (typeof format.strict === 'boolean') schema.strict = format.strict;
  if (typeof format.description === 'string') schema.description = format.description;
  return { type: 'json_schema', json_schema: schema as { name: string; schema?: Record<string, unknown>; strict?: boolean } };
}

function functionTool(tool: Item): FunctionTool {
  const fn: FunctionTool['function'] = { name: tool.name as string };
  if (typeof tool.description === 'string') fn.description = tool.description;
  if (isObject(tool.parameters)) fn.parameters = tool.parameters;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/**
 * Items in order → chat messages. Tool messages must follow their assistant message without
 * anything between, so images a function's output returns follow the run of tool messages in a
 * user message of their own (a chat tool message holds text only).
 */
export function itemsToMessages(items: Item[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let images: ContentPart[] = [];
  const flushImages = (): void => {
    if (images.length > 0) messages.push({ role: 'user', content: images });
    images = [];
  };
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type !== 'function_call_output') flushImages();
    if (type === 'message') messages.push(message(item));
    else if (type === 'function_call') addToolCall(messages, item);
    else if (type === 'function_call_output') {
      const { tool, imageParts } = toolMessage(item);
      messages.push(tool);
      images.push(...imageParts);
    }
    // reasoning: left out (see the module comment).
  }
  flushImages();
  return messages;
}

function message(item: Item): ChatMessage {
  const role = item.role as 'user' | 'assistant' | 'system' | 'developer';
  const content = item.content as string | Part[];
  if (typeof content === 'string') return { role, content };
  // Only the user sends images; every other role's parts are text, joined as the model reads them.
  if (role === 'user') return { role, content: content.map(userPart) };
  return { role, content: content.map((p) => (p.type === 'refusal' ? p.refusal : p.text) as string).join('') };
}

function userPart(part: Part): ContentPart {
  if (part.type === 'input_image') {
    const detail = part.detail as 'auto' | 'low' | 'high' | undefined;
    return { type: 'image_url', image_url: { url: part.image_url as string, ...(detail ? { detail } : {}) } };
  }
  return { type: 'text', text: part.text as string };
}

/** A function call joins the assistant message just before it (its text, or the calls before it), as parallel calls do. */
function addToolCall(messages: ChatMessage[], item: Item): void {
  const call: ToolCall = { id: item.call_id as string, type: 'function', function: { name: item.name as string, arguments: item.arguments as string } };
  const last = messages.at(-1);
  if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call];
  else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

function toolMessage(item: Item): { tool: ChatMessage; imageParts: ContentPart[] } {
  const output = item.output as string | Part[];
  const tool: ChatMessage = { role: 'tool', tool_call_id: item.call_id as string, content: '' };
  if (typeof output === 'string') return { tool: { ...tool, content: output }, imageParts: [] };
  const texts = output.filter((p) => p.type === 'input_text').map((p) => ({ type: 'text' as const, text: p.text as string }));
  const imageParts = output.filter((p) => p.type === 'input_image').map(userPart);
  return { tool: { ...tool, content: texts.length > 0 ? texts : '' }, imageParts };
}
