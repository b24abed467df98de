/**
 * The prompt of a Google GenAI GenerateContentRequest (`contents`, `systemInstruction`, function
 * declarations, response schemas), reported to the same visitor as the other formats
 * (request-walk.ts), so bounds and estimates count it alike. Whatever a translation adds is
 * counted too: the ids the gateway gives function calls. Google's own tools (Search, code
 * execution, URL context) and cached content add text the request does not hold: unbounded.
 */
import { googleCallId } from '../google-call-id';
import type { PromptVisitor } from './request-walk';

/** Top-level fields that are settings, never rendered into the prompt (generationConfig is read apart). */
const SETTINGS = new Set(['model', 'safetySettings', 'labels']);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function walkGenerateContent(body: Json, visitor: PromptVisitor): void {
  const calls = { count: 0 };
  for (const key in body) {
    const value = body[key];
    if (value === undefined || value === null || SETTINGS.has(key)) continue;
    switch (key) {
      case 'contents':
        if (Array.isArray(value)) for (const content of value) walkContent(content, visitor, calls);
        else visitor.jsonValue(value);
        break;
      case 'systemInstruction':
        walkContent(value, visitor, calls);
        break;
      case 'tools':
        walkTools(value, visitor);
        break;
      case 'generationConfig':
        walkGenerationConfig(value, visitor);
        break;
      case 'cachedContent':
        visitor.unbounded('cached content');
        break;
      default:
        // toolConfig, and fields unknown here: bounded as if rendered as JSON.
        visitor.jsonValue(value);
    }
  }
}

function walkContent(content: unknown, visitor: PromptVisitor, calls: { count: number }): void {
  if (!isRecord(content)) return visitor.jsonValue(content);
  visitor.message();
  if (typeof content.role === 'string') visitor.text(content.role);
  if (!Array.isArray(content.parts)) return visitor.jsonValue(content.parts ?? null);
  for (const part of content.parts) walkPart(part, visitor, calls);
}

function walkPart(part: unknown, visitor: PromptVisitor, calls: { count: number }): void {
  if (!isRecord(part)) return visitor.jsonValue(part);
  for (const key in part) {
    const value = part[key];
    if (value === undefined || value === null || key === 'thought') continue;
    switch (key) {
      case 'text':
      // Opaque to us and maybe not tokenized at all; counted so the bound holds if it is.
      case 'thoughtSignature':
        if (typeof value === 'string') visitor.text(value);
        else visitor.jsonValue(value);
        break;
      case 'inlineData':
      case 'fileData':
        walkMedia(value, visitor);
        break;
      case 'functionCall':
        walkCall(value, visitor, calls);
        break;
      case 'functionResponse':
        walkResponse(value, visitor, calls);
        break;
      default:
        // executableCode, codeExecutionResult, videoMetadata, and kinds unknown here.
        visitor.jsonValue(value);
    }
  }
}

/** Images are bounded per image; audio, video and documents cannot be bounded from the request. */
function walkMedia(media: unknown, visitor: PromptVisitor): void {
  const mimeType = isRecord(media) ? media.mimeType : undefined;
  if (typeof mimeType === 'string' && mimeType.toLowerCase().startsWith('image/')) return visitor.image();
  visitor.unbounded(`media ${typeof mimeType === 'string' ? mimeType : 'of unknown type'}`);
}

function walkCall(call: unknown, visitor: PromptVisitor, calls: { count: number }): void {
  if (!isRecord(call)) return visitor.jsonValue(call);
  const name = typeof call.name === 'string' ? call.name : '';
  visitor.toolCall(name);
  visitor.text(name);
  visitor.text(typeof call.id === 'string' && call.id !== '' ? call.id : googleCallId(calls.count));
  calls.count++;
  visitor.jsonValue(call.args ?? {});
}

/** A response's id is its call's: given, or one the gateway generated, never longer than the latest. */
function walkResponse(result: unknown, visitor: PromptVisitor, calls: { count: number }): void {
  if (!isRecord(result)) return visitor.jsonValue(result);
  visitor.toolResult();
  if (typeof result.name === 'string') visitor.text(result.name);
  if (typeof result.id === 'string') visitor.text(result.id);
  visitor.text(googleCallId(calls.count));
  visitor.jsonValue(result.response ?? {});
}

/** Function declarations are tool definitions; any other Google tool adds what the provider finds. */
function walkTools(tools: unknown, visitor: PromptVisitor): void {
  if (!Array.isArray(tools)) return visitor.jsonValue(tools);
  for (const tool of tools) {
    if (!isRecord(tool)) {
      visitor.jsonValue(tool);
      continue;
    }
    for (const key in tool) {
      const value = tool[key];
      if (value === undefined || value === null) continue;
      if (key !== 'functionDeclarations') visitor.unbounded(`tool ${key}`);
      else if (!Array.isArray(value)) visitor.jsonValue(value);
      else {
        if (value.length > 0) visitor.usesTools();
        for (const declaration of value) {
          visitor.toolDefinition();
          visitor.jsonValue(declaration);
        }
      }
    }
  }
}

/** Settings, except the response schema a provider renders (and a JSON mode some emulate with a forced tool). */
function walkGenerationConfig(config: unknown, visitor: PromptVisitor): void {
  if (!isRecord(config)) return visitor.jsonValue(config);
  for (const key of ['responseSchema', 'responseJsonSchema']) {
    if (config[key] !== undefined && config[key] !== null) visitor.jsonValue(config[key]);
  }
  if (config.responseMimeType === 'application/json') visitor.usesTools();
}
