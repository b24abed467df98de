/**
 * Canonical chat request → the prompt of an OpenAI Responses request ({model, input, tools,
 * tool_choice}), as POST /v1/responses/input_tokens counts it. Messages become input items one
 * for one: system, developer, user and assistant messages with their content; tool calls
 * function_call items; tool results function_call_output items. Assistant reasoning text has no
 * Responses counterpart (reasoning items carry the provider's own encrypted state) and is left
 * out, as OpenAI's chat API ignores it too. null when a part has no counterpart: the gateway then
 * estimates the count instead.
 */
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolChoice } from '../../../../lib/openai-types';

type Item = Record<string, unknown>;

export function responsesInput(model: string, request: ChatRequest): Record<string, unknown> | null {
  const input: Item[] = [];
  for (const message of request.messages) {
    const items = itemsOf(message);
    if (items === null) return null;
    input.push(...items);
  }
  const body: Record<string, unknown> = { model, input };
  if (request.tools && request.tools.length > 0) body.tools = request.tools.map(functionTool);
  const choice = toolChoice(request.tool_choice);
  if (choice !== undefined) body.tool_choice = choice;
  return body;
}

function itemsOf(message: ChatMessage): Item[] | null {
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user': {
      const content = inputContent(message.content);
      return content === null ? null : [{ type: 'message', role: message.role, content }];
    }
    case 'assistant': {
      const text = plainText(message.content);
      if (text === null) return null;
      const items: Item[] = text === '' ? [] : [{ type: 'message', role: 'assistant', content: text }];
      for (const call of message.tool_calls ?? []) {
        items.push({ type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments });
      }
      return items;
    }
    case 'tool': {
      const output = plainText(message.content);
      return output === null ? null : [{ type: 'function_call_output', call_id: message.tool_call_id ?? '', output }];
    }
    default:
      return null;
  }
}

/** A user or system message's content: a string as it is, parts as input parts. */
function inputContent(content: ChatMessage['content']): string | Item[] | null {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  const parts: Item[] = [];
  for (const part of content) {
    const converted = inputPart(part);
    if (converted === null) return null;
    parts.push(converted);
  }
  return parts;
}

function inputPart(part: ContentPart): Item | null {
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'input_text', text: part.text };
  if (part.type === 'image_url') {
    const image = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url;
    if (typeof image?.url !== 'string') return null;
    return { type: 'input_image', image_url: image.url, detail: typeof image.detail === 'string' ? image.detail : 'auto' };
  }
  if (part.type === 'file') {
    const file = (part as { file?: { file_data?: unknown; filename?: unknown } }).file;
    if (typeof file?.file_data !== 'string') return null;
    return { type: 'input_file', file_data: file.file_data, ...(typeof file.filename === 'string' ? { filename: file.filename } : {}) };
  }
  return null;
}

/** Text-only content (assistant text, tool results) joined; null when it holds anything else. */
function plainText(content: ChatMessage['content']): string | null {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type !== 'text' || typeof part.text !== 'string') return null;
    text += part.text;
  }
  return text;
}

/** Responses function tools are flat; strict defaults to true there, so a chat tool's absent strict is false. */
function functionTool(tool: FunctionTool): Item {
  const { name, description, parameters, strict } = tool.function;
  return {
    type: 'function',
    name,
    ...(description !== undefined ? { description } : {}),
    parameters: parameters ?? { type: 'object', properties: {} },
    strict: strict === true,
  };
}

function toolChoice(choice: ToolChoice | undefined): unknown {
  if (choice === undefined || typeof choice === 'string') return choice;
  return { type: 'function', name: choice.function.name };
}
