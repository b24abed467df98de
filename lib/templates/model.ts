/**
 * A template version as stored and as the control API accepts it: a text template (one string)
 * or a chat template (messages, each a role and a template string), the variables it declares
 * (optional type and default), and an optional default model and parameters. `parseTemplateDefinition`
 * checks an untrusted definition once, when it is saved; the rest of the engine trusts its result.
 */
import { jsonValueBound } from '../tokens/json-bound';
import { isObject } from '../validate/checks';
import { valueNestingExceeds } from '../validate/depth';
import { MAX_NAME_LENGTH, MAX_PARAMS_JSON_CHARS, MAX_TEMPLATE_MESSAGES, MAX_VARIABLE_DEPTH, MAX_VARIABLES, MAX_VARIABLES_JSON_CHARS } from './bounds';
import { TemplateError } from './errors';
import { isVariableName } from './names';
import { coerceVariable, expectedKind, kindOf } from './variable-types';

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'array', 'object', 'json'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface VariableDeclaration {
  readonly name: string;
  /** Absent: any JSON value (clients mostly send strings). */
  readonly type?: VariableType;
  /** A declared variable with a default may be left out of a request. */
  readonly default?: JsonValue;
  readonly description?: string;
}

export interface TemplateMessage {
  readonly role: MessageRole;
  readonly content: string;
}

export type TemplateBody = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'chat'; readonly messages: readonly TemplateMessage[] };

export type TemplateDefinition = TemplateBody & {
  readonly variables: readonly VariableDeclaration[];
  /** The model a request without one gets. */
  readonly model?: string;
  /** Request parameters (temperature, max_tokens, ...) a request without them gets. */
  readonly params?: Readonly<Record<string, JsonValue>>;
};

const DEFINITION_KEYS = new Set(['kind', 'text', 'messages', 'variables', 'model', 'params']);
const VARIABLE_KEYS = new Set(['name', 'type', 'default', 'description']);
const MAX_DESCRIPTION_CHARS = 1024;

function invalid(param: string, message: string): TemplateError {
  return new TemplateError('invalid_template', message, { param });
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw invalid(prefix + key, `Unknown field '${prefix + key}'`);
}

/** A JSON value within the size and depth bounds (defaults, params). */
function boundedJson(value: unknown, param: string, maxChars: number): JsonValue {
  if (valueNestingExceeds(value, MAX_VARIABLE_DEPTH)) throw invalid(param, `'${param}' nests deeper than ${MAX_VARIABLE_DEPTH} levels`);
  if (jsonValueBound(value) > maxChars) throw invalid(param, `'${param}' is larger than ${maxChars} characters of JSON`);
  return value as JsonValue;
}

function parseVariable(value: unknown, index: number, seen: Set<string>): VariableDeclaration {
  const param = `variables.${index}`;
  if (!isObject(value)) throw invalid(param, `'${param}' must be an object with a name`);
  onlyKeys(value, VARIABLE_KEYS, `${param}.`);
  const { name, type, description } = value;
  if (typeof name !== 'string' || !isVariableName(name))
    throw invalid(`${param}.name`, `'${param}.name' must be a variable name: a letter or '_', then letters, digits, '_' or '-' (64 at most)`);
  if (seen.has(name)) throw invalid(`${param}.name`, `Variable '${name}' is declared twice`);
  seen.add(name);
  if (type !== undefined && !VARIABLE_TYPES.includes(type as VariableType))
    throw invalid(`${param}.type`, `The type of variable '${name}' must be one of ${VARIABLE_TYPES.join(', ')}`);
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION_CHARS))
    throw invalid(`${param}.description`, `The description of variable '${name}' must be a string of at most ${MAX_DESCRIPTION_CHARS} characters`);
  const declaration: { -readonly [K in keyof VariableDeclaration]: VariableDeclaration[K] } = { name };
  if (type !== undefined) declaration.type = type as VariableType;
  if (description !== undefined) declaration.description = description as string;
  if (Object.hasOwn(value, 'default')) {
    const fallback = boundedJson(value.default, `${param}.default`, MAX_VARIABLES_JSON_CHARS);
    const coerced = coerceVariable(declaration.type, fallback);
    if (coerced === undefined)
      throw invalid(`${param}.default`, `The default of variable '${name}' must be ${expectedKind(declaration.type)}, got ${kindOf(fallback)}`);
    declaration.default = coerced;
  }
  return declaration;
}

function parseMessage(value: unknown, index: number): TemplateMessage {
  const param = `messages.${index}`;
  if (!isObject(value)) throw invalid(param, `'${param}' must be an object with a role and a content`);
  onlyKeys(value, new Set(['role', 'content']), `${param}.`);
  if (!MESSAGE_ROLES.includes(value.role as MessageRole)) throw invalid(`${param}.role`, `'${param}.role' must be one of ${MESSAGE_ROLES.join(', ')}`);
  if (typeof value.content !== 'string') throw invalid(`${param}.content`, `'${param}.content' must be a template string`);
  return { role: value.role as MessageRole, content: value.content };
}

function parseBody(value: Record<string, unknown>): TemplateBody {
  if (value.kind === 'text') {
    if (typeof value.text !== 'string') throw invalid('text', "A text template needs 'text', a template string");
    if (value.messages !== undefined) throw invalid('messages', "A text template has no 'messages'");
    return { kind: 'text', text: value.text };
  }
  if (value.kind === 'chat') {
    if (value.text !== undefined) throw invalid('text', "A chat template has 'messages', not 'text'");
    const { messages } = value;
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_TEMPLATE_MESSAGES)
      throw invalid('messages', `A chat template needs 'messages': 1 to ${MAX_TEMPLATE_MESSAGES} messages`);
    return { kind: 'chat', messages: messages.map(parseMessage) };
  }
  throw invalid('kind', "'kind' must be 'chat' or 'text'");
}

/** Checks an untrusted template definition; throws a TemplateError (`invalid_template`) naming the field. Sources are compiled by prepareTemplate. */
export function parseTemplateDefinition(value: unknown): TemplateDefinition {
  if (!isObject(value)) throw invalid('', 'A template definition must be a JSON object');
  onlyKeys(value, DEFINITION_KEYS, '');
  const body = parseBody(value);
  const variables = value.variables ?? [];
  if (!Array.isArray(variables) || variables.length > MAX_VARIABLES) throw invalid('variables', `'variables' must be a list of at most ${MAX_VARIABLES}`);
  const seen = new Set<string>();
  const definition: TemplateBody & { -readonly [K in 'variables' | 'model' | 'params']?: TemplateDefinition[K] } = {
    ...body,
    variables: variables.map((variable, index) => parseVariable(variable, index, seen)),
  };
  if (value.model !== undefined) {
    if (typeof value.model !== 'string' || value.model.length === 0 || value.model.length > MAX_NAME_LENGTH * 2)
      throw invalid('model', `'model' must be a model name of at most ${MAX_NAME_LENGTH * 2} characters`);
    definition.model = value.model;
  }
  if (value.params !== undefined) {
    if (!isObject(value.params)) throw invalid('params', "'params' must be an object of request parameters");
    for (const key of ['model', 'messages', 'input', 'system', 'prompt', 'stream'])
      if (Object.hasOwn(value.params, key)) throw invalid(`params.${key}`, `'params' cannot set '${key}'`);
    definition.params = boundedJson(value.params, 'params', MAX_PARAMS_JSON_CHARS) as Record<string, JsonValue>;
  }
  return definition as TemplateDefinition;
}
