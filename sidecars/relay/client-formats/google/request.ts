/**
 * Google GenAI GenerateContentRequest (the client side of /v1beta/models/{model}:generateContent)
 * → canonical chat request, for targets that do not speak Gemini (Gemini targets take the
 * request as sent: adapters/gemini/native.ts). The model and whether the answer streams come from
 * the path. What each field, tool kind and part type becomes is lib/translation-policy's
 * (google-rules.ts): the relay refuses and counts by it before translating. Refused here too, as
 * guards and for what depends on a value: what only Gemini can serve (its own tools, cached
 * content, file URIs, media the target cannot read, non-text output). Left out, as the policy
 * counts them: safety settings, thought summaries and signatures in the history, logprobs, ...
 */
import { gatewayError } from '../../../../lib/errors';
import { googleCallId } from '../../../../lib/google-call-id';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall, ToolChoice } from '../../../../lib/openai-types';
import { isObject, validateClientRequest } from '../../../../lib/validate';
import { unsupported } from '../../adapters/types';
import { effortFor } from '../anthropic/request';
import type { CanonicalRequest } from '../client-format';
import { geminiSchemaToJsonSchema } from './schema';

/** What the path says: the public model and `:streamGenerateContent`. */
export interface GoogleCall {
  model: string;
  stream: boolean;
}

type Json = Record<string, unknown>;

/** Valid Gemini input that only Gemini can serve: a 400 naming where. */
class GeminiOnly extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

export function generateContentToChat(body: unknown, call: GoogleCall): CanonicalRequest {
  const validation = validateClientRequest('generateContent', body);
  if (!validation.ok) return { ok: false, refusal: gatewayError(400, validation.message, validation.code, validation.param) };
  try {
    return { ok: true, request: toChat(body as Json, call) };
  } catch (err) {
    if (err instanceof GeminiOnly) return { ok: false, refusal: unsupported(`${err.message}; only Gemini models can serve it`, err.param) };
    throw err;
  }
}

function toChat(body: Json, call: GoogleCall): ChatRequest {
  const messages: ChatMessage[] = [];
  if (isObject(body.systemInstruction)) {
    const system = systemText(body.systemInstruction.parts as Json[]);
    if (system) messages.push({ role: 'system', content: system });
  }
  const history = new CallHistory();
  (body.contents as Json[]).forEach((content, i) => {
    const where = `contents[${i}]`;
    if (content.role === 'model') {
      const message = modelMessage(content.parts as Json[], where, history);
      if (message) messages.push(message);
    } else messages.push(...userMessages(content.parts as Json[], where, history));
  });

  const request: ChatRequest = { model: call.model, messages };
  if (call.stream) {
    request.stream = true;
    // The stream encoder ends with the usage, so the usage chunk is always needed.
    request.stream_options = { include_usage: true };
  }
  if (Array.isArray(body.tools)) {
    const allowed = allowedFunctions(body.toolConfig);
    const tools = (body.tools as Json[]).flatMap((tool, i) => toolsOf(tool, `tools[${i}]`)).filter((t) => !allowed || allowed.has(t.function.name));
    if (tools.length > 0) request.tools = tools;
  }
  const choice = toolChoice(body.toolConfig);
  if (choice) request.tool_choice = choice;
  if (body.cachedContent != null) throw new GeminiOnly('cachedContent names a Gemini context cache', 'cachedContent');
  if (isObject(body.generationConfig)) applyGenerationConfig(body.generationConfig, request);
  return request;
}

/** The system instruction's text; it takes nothing else. */
function systemText(parts: Json[]): string {
  return parts
    .map((part, j) => {
      if (typeof part.text === 'string') return part.thought === true ? '' : part.text;
      throw new GeminiOnly('systemInstruction takes text parts only', `systemInstruction.parts[${j}]`);
    })
    .join('');
}

/**
 * The calls of the latest model turn, for the function responses that follow it: Gemini pairs
 * them by name and order (or by id, when the client kept one), OpenAI and Anthropic by id.
 */
class CallHistory {
  private count = 0;
  private pending: Array<{ id: string; name: string; answered: boolean }> = [];

  /** The calls of a new model turn, each with its id: the client's, or call_<n>. */
  modelTurn(calls: Array<{ id?: unknown; name: string }>): string[] {
    this.pending = calls.map((c) => {
      const n = this.count++;
      return { id: typeof c.id === 'string' && c.id !== '' ? c.id : googleCallId(n), name: c.name, answered: false };
    });
    return this.pending.map((c) => c.id);
  }

  /** The id of the call a function response answers, or null when no call of the latest model turn awaits it. */
  answer(name: string, id: unknown): string | null {
    const open = this.pending.filter((c) => !c.answered);
    const match = (typeof id === 'string' && open.find((c) => c.id === id)) || open.find((c) => c.name === name);
    if (!match) return null;
    match.answered = true;
    return match.id;
  }

  userTurn(): void {
    this.pending = [];
  }
}

/** A model turn: its text, then its function calls; thought summaries and signatures are Gemini's own. */
function modelMessage(parts: Json[], where: string, history: CallHistory): ChatMessage | null {
  let text = '';
  const calls: Array<{ id?: unknown; name: string; args: unknown }> = [];
  parts.forEach((part, j) => {
    if (isObject(part.functionCall)) {
      const fn = part.functionCall;
      calls.push({ id: fn.id, name: fn.name as string, args: fn.args ?? {} });
    } else if (typeof part.text === 'string') {
      if (part.thought !== true) text += part.text;
    } else if (!isSignatureOnly(part)) throw new GeminiOnly(`${partKind(part)} parts in a model turn cannot be translated`, `${where}.parts[${j}]`);
  });
  const ids = history.modelTurn(calls);
  if (text === '' && calls.length === 0) return null;
  const message: ChatMessage = { role: 'assistant', content: text === '' ? null : text };
  if (calls.length > 0) {
    message.tool_calls = calls.map((c, k): ToolCall => ({ id: ids[k], type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  }
  return message;
}

/** A user turn → tool messages first (OpenAI wants them right after the calls), then the rest as one user message. */
function userMessages(parts: Json[], where: string, history: CallHistory): ChatMessage[] {
  const tools: ChatMessage[] = [];
  const content: ContentPart[] = [];
  parts.forEach((part, j) => {
    const at = `${where}.parts[${j}]`;
    if (isObject(part.functionResponse)) {
      const result = part.functionResponse;
      const id = history.answer(result.name as string, result.id);
      if (id === null) throw new GeminiOnly(`functionResponse '${String(result.name)}' answers no functionCall of the model turn before it`, at);
      tools.push({ role: 'tool', tool_call_id: id, content: JSON.stringify(result.response) });
    } else if (typeof part.text === 'string') {
      if (part.thought !== true && part.text !== '') content.push({ type: 'text', text: part.text });
    } else if (isObject(part.inlineData)) content.push(inlinePart(part.inlineData, at));
    else if (isObject(part.fileData)) content.push(filePart(part.fileData, at));
    else if (!isSignatureOnly(part)) throw new GeminiOnly(`${partKind(part)} parts cannot be translated`, at);
  });
  history.userTurn();
  return content.length > 0 ? [...tools, { role: 'user', content }] : tools;
}

/** A part with nothing but a thought signature (Gemini 3 sends them): nothing to translate. */
function isSignatureOnly(part: Json): boolean {
  return Object.keys(part).every((key) => key === 'thoughtSignature' || key === 'thought');
}

function partKind(part: Json): string {
  return Object.keys(part).find((key) => key !== 'thoughtSignature' && key !== 'thought') ?? 'empty';
}

/** The audio formats OpenAI's input_audio takes, by MIME type. */
const AUDIO_FORMATS: ReadonlyMap<string, string> = new Map([
  ['audio/wav', 'wav'],
  ['audio/x-wav', 'wav'],
  ['audio/mp3', 'mp3'],
  ['audio/mpeg', 'mp3'],
]);

function inlinePart(blob: Json, at: string): ContentPart {
  const mimeType = (blob.mimeType as string).toLowerCase();
  const data = blob.data as string;
  if (mimeType.startsWith('image/')) return { type: 'image_url', image_url: { url: `data:${mimeType};base64,${data}` } };
  if (mimeType === 'application/pdf') return { type: 'file', file: { file_data: `data:application/pdf;base64,${data}` } };
  if (mimeType === 'text/plain') return { type: 'text', text: Buffer.from(data, 'base64').toString('utf8') };
  const format = AUDIO_FORMATS.get(mimeType);
  if (format) return { type: 'input_audio', input_audio: { data, format } };
  throw new GeminiOnly(`inlineData of type ${mimeType} cannot be translated`, `${at}.inlineData.mimeType`);
}

/** Images at public URLs translate; Files API and Cloud Storage URIs only Gemini can read. */
function filePart(file: Json, at: string): ContentPart {
  const uri = file.fileUri as string;
  const mimeType = typeof file.mimeType === 'string' ? file.mimeType.toLowerCase() : '';
  if (/^https?:\/\//i.test(uri) && (mimeType === '' || mimeType.startsWith('image/'))) return { type: 'image_url', image_url: { url: uri } };
  throw new GeminiOnly(
    `fileData ${mimeType || 'without a mimeType'} at ${/^https?:\/\//i.test(uri) ? 'this URL' : 'a Gemini file URI'} cannot be translated`,
    `${at}.fileData`,
  );
}

/** Function declarations → function tools; Google's own tools (googleSearch, codeExecution, ...) cannot be translated. */
function toolsOf(tool: Json, where: string): FunctionTool[] {
  const other = Object.keys(tool).find((key) => key !== 'functionDeclarations' && tool[key] != null);
  if (other) throw new GeminiOnly(`the ${other} tool is Google's own`, `${where}.${other}`);
  const declarations = Array.isArray(tool.functionDeclarations) ? (tool.functionDeclarations as Json[]) : [];
  return declarations.map((d) => {
    const fn: FunctionTool['function'] = { name: d.name as string, parameters: parametersOf(d) };
    if (typeof d.description === 'string') fn.description = d.description;
    return { type: 'function', function: fn };
  });
}

function parametersOf(declaration: Json): Record<string, unknown> {
  if (isObject(declaration.parametersJsonSchema)) return declaration.parametersJsonSchema;
  if (isObject(declaration.parameters)) return geminiSchemaToJsonSchema(declaration.parameters);
  return { type: 'object', properties: {} };
}

/** allowedFunctionNames, when given: the model may call these only, so only these are offered. */
function allowedFunctions(config: unknown): ReadonlySet<string> | null {
  const calling = isObject(config) && isObject(config.functionCallingConfig) ? config.functionCallingConfig : null;
  const names = calling && Array.isArray(calling.allowedFunctionNames) ? (calling.allowedFunctionNames as string[]) : [];
  return names.length > 0 ? new Set(names) : null;
}

/** functionCallingConfig.mode → tool_choice; ANY with one allowed function names it. */
function toolChoice(config: unknown): ToolChoice | undefined {
  const calling = isObject(config) && isObject(config.functionCallingConfig) ? config.functionCallingConfig : null;
  if (!calling) return undefined;
  const allowed = Array.isArray(calling.allowedFunctionNames) ? (calling.allowedFunctionNames as string[]) : [];
  switch (calling.mode) {
    case 'AUTO':
    case 'VALIDATED':
      return 'auto';
    case 'NONE':
      return 'none';
    case 'ANY':
      return allowed.length === 1 ? { type: 'function', function: { name: allowed[0] } } : 'required';
    default:
      return undefined;
  }
}

/** thinkingLevel → reasoning_effort (Gemini 3); a thinkingBudget maps as an Anthropic budget_tokens does. */
const THINKING_LEVELS: ReadonlyMap<string, string> = new Map([
  ['MINIMAL', 'minimal'],
  ['LOW', 'low'],
  ['MEDIUM', 'medium'],
  ['HIGH', 'high'],
]);

function applyGenerationConfig(config: Json, request: ChatRequest): void {
  if (typeof config.temperature === 'number') request.temperature = config.temperature;
  if (typeof config.topP === 'number') request.top_p = config.topP;
  if (typeof config.topK === 'number') request.top_k = config.topK;
  if (typeof config.maxOutputTokens === 'number') request.max_completion_tokens = config.maxOutputTokens;
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 0) request.stop = config.stopSequences as string[];
  if (typeof config.candidateCount === 'number' && config.candidateCount > 1) request.n = config.candidateCount;
  if (typeof config.seed === 'number') request.seed = config.seed;
  if (typeof config.presencePenalty === 'number') request.presence_penalty = config.presencePenalty;
  if (typeof config.frequencyPenalty === 'number') request.frequency_penalty = config.frequencyPenalty;
  const modalities = Array.isArray(config.responseModalities) ? (config.responseModalities as string[]) : [];
  if (modalities.some((m) => m !== 'TEXT')) throw new GeminiOnly('responseModalities other than TEXT', 'generationConfig.responseModalities');
  const format = responseFormat(config);
  if (format) request.response_format = format;
  if (isObject(config.thinkingConfig)) {
    const { thinkingBudget: budget, thinkingLevel: level } = config.thinkingConfig;
    const effort = typeof level === 'string' ? THINKING_LEVELS.get(level) : typeof budget === 'number' && budget > 0 ? effortFor(budget) : undefined;
    if (effort) request.reasoning_effort = effort;
  }
}

/** JSON output: a schema (JSON Schema, or Gemini's converted) makes json_schema, none json_object. */
function responseFormat(config: Json): ChatRequest['response_format'] | undefined {
  const schema = isObject(config.responseJsonSchema)
    ? config.responseJsonSchema
    : isObject(config.responseSchema)
      ? geminiSchemaToJsonSchema(config.responseSchema)
      : undefined;
  const mimeType = config.responseMimeType;
  if (mimeType !== undefined && mimeType !== null && mimeType !== 'application/json' && mimeType !== 'text/plain') {
    throw new GeminiOnly(`responseMimeType ${String(mimeType)}`, 'generationConfig.responseMimeType');
  }
  if (schema) return { type: 'json_schema', json_schema: { name: 'response', schema } };
  return mimeType === 'application/json' ? { type: 'json_object' } : undefined;
}
