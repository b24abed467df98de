/**
 * Which template a request asks for, in the two ways clients already know:
 *
 * - OpenAI's Responses `prompt` object, `{"id", "version", "variables"}` (the SDKs' ResponsePrompt:
 *   `version` is a string, `variables` maps names to strings or input_text parts), accepted on
 *   the chat, messages and responses endpoints. `id` is the template's name. `version` is either
 *   a version number ("3") or a label ("production", "staging"): labels start with a letter, so
 *   the two never overlap and no field outside OpenAI's shape is needed. Without `version`, the
 *   `production` label, else the latest version.
 * - Kong OSS `ai-prompt-template`: `"messages": "{template://name}"` (or `"prompt":
 *   "{template://name}"`) with `"properties": {"name": "value"}`, values strings only as Kong
 *   requires. We add an optional `@version` or `@label` suffix (`{template://name@staging}`).
 *
 * Pure: the body is read, never changed. Malformed selections are a 400 naming the field.
 */

import { isObject } from '../validate/checks';
import { MAX_VERSION } from './bounds';
import { TemplateError } from './errors';
import { DEFAULT_LABEL, isLabelName, isTemplateName, LATEST_LABEL, parseVersionNumber } from './names';
import { kindOf } from './variable-types';

export type VersionSelector =
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'label'; readonly label: string }
  /** Nothing asked: the `production` label, else the latest version. */
  | { readonly kind: 'default' };

export interface TemplateSelection {
  /** `prompt`: OpenAI's prompt object; `kong`: a `{template://name}` reference. */
  readonly syntax: 'prompt' | 'kong';
  readonly name: string;
  readonly selector: VersionSelector;
  /** The request's variables, input_text parts already turned into their text; checked later against the declarations. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Where the variables were (`prompt.variables`, `properties`), for errors. */
  readonly variablesParam: string;
  /** The body field that held the selection: `prompt` (object or reference) or `messages` (a reference). */
  readonly field: 'prompt' | 'messages';
}

const KONG_PREFIX = '{template://';
const KONG_SUFFIX = '}';
const PROMPT_KEYS = new Set(['id', 'version', 'variables']);

function badSelection(param: string, message: string): TemplateError {
  return new TemplateError('invalid_selection', message, { param });
}

/** Whether a value is a Kong reference: a string `{template://...}`, as Kong's plugin tests it. */
function isKongReference(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(KONG_PREFIX) && value.endsWith(KONG_SUFFIX) && value.length > KONG_PREFIX.length;
}

/** A version string or a label: numbers are versions, names starting with a letter are labels. */
function parseSelector(text: string, param: string): VersionSelector {
  const version = parseVersionNumber(text);
  if (version !== undefined) return { kind: 'version', version };
  if (isLabelName(text)) return { kind: 'label', label: text };
  throw badSelection(param, `'${param}' must be a version number (1 to ${MAX_VERSION}) or a label name (a letter, then letters, digits, '_', '.' or '-')`);
}

function parseKongReference(reference: string, field: 'prompt' | 'messages', properties: unknown): TemplateSelection {
  const inner = reference.slice(KONG_PREFIX.length, -KONG_SUFFIX.length);
  const at = inner.indexOf('@');
  const name = at < 0 ? inner : inner.slice(0, at);
  if (!isTemplateName(name)) throw badSelection(field, `'${field}' names no valid template: '${name.slice(0, 64)}'`);
  const selector = at < 0 ? ({ kind: 'default' } as const) : parseSelector(inner.slice(at + 1), field);
  // Kong's rules: properties an object, every value a string.
  if (properties !== undefined && !isObject(properties)) throw badSelection('properties', "'properties' must be an object");
  for (const [key, value] of Object.entries(properties ?? {}))
    if (typeof value !== 'string') throw badSelection(`properties.${key}`, `Property values must be strings; '${key.slice(0, 64)}' is ${kindOf(value)}`);
  return { syntax: 'kong', name, selector, variables: properties ?? {}, variablesParam: 'properties', field };
}

/** OpenAI's variable values: strings, or input_text parts (their text); images and files cannot go into a text template. */
function promptVariables(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badSelection('prompt.variables', "'prompt.variables' must be an object of variable names to values");
  const variables: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(value)) {
    if (isObject(variable) && typeof variable.type === 'string' && variable.type.startsWith('input_')) {
      if (variable.type !== 'input_text' || typeof variable.text !== 'string')
        throw badSelection(`prompt.variables.${name}`, `Variable '${name.slice(0, 64)}': only strings and input_text parts can fill a template variable`);
      variables[name] = variable.text;
    } else variables[name] = variable;
  }
  return variables;
}

function parsePromptObject(prompt: Record<string, unknown>): TemplateSelection {
  for (const key of Object.keys(prompt)) if (!PROMPT_KEYS.has(key)) throw badSelection(`prompt.${key}`, `Unknown parameter: 'prompt.${key.slice(0, 64)}'`);
  const { id, version } = prompt;
  if (typeof id !== 'string' || !isTemplateName(id)) throw badSelection('prompt.id', "'prompt.id' must be a template name");
  let selector: VersionSelector = { kind: 'default' };
  if (typeof version === 'string') selector = parseSelector(version, 'prompt.version');
  // The SDKs send a string; a bare integer is read the same way.
  else if (typeof version === 'number' && Number.isInteger(version)) selector = parseSelector(String(version), 'prompt.version');
  else if (version !== undefined && version !== null) throw badSelection('prompt.version', "'prompt.version' must be a string: a version number or a label");
  return { syntax: 'prompt', name: id, selector, variables: promptVariables(prompt.variables), variablesParam: 'prompt.variables', field: 'prompt' };
}

/**
 * The template a request body selects, or null when it selects none (a raw prompt). Throws a
 * TemplateError (`invalid_selection`, 400) for a malformed selection or two at once.
 */
export function parseTemplateSelection(body: Readonly<Record<string, unknown>>): TemplateSelection | null {
  const { prompt, messages, properties } = body;
  const messagesReference = isKongReference(messages);
  if (messagesReference && prompt !== undefined && prompt !== null)
    throw badSelection('prompt', "Cannot use a 'messages' template reference and a 'prompt' at the same time");
  if (messagesReference) return parseKongReference(messages, 'messages', properties);
  if (prompt === undefined || prompt === null) return null;
  if (isKongReference(prompt)) return parseKongReference(prompt, 'prompt', properties);
  if (!isObject(prompt)) throw badSelection('prompt', "'prompt' must be an object: {id, version, variables}");
  if (properties !== undefined)
    throw badSelection('properties', "'properties' goes with a {template://name} reference; a 'prompt' object takes 'prompt.variables'");
  return parsePromptObject(prompt);
}

/** What the store knows of a template: its newest version (versions are 1 to latest, never deleted) and its labels. */
export interface TemplateVersions {
  readonly latestVersion: number;
  readonly labels: ReadonlyMap<string, number>;
}

/**
 * The version a selector names, or a TemplateError (`template_not_found`, 404) naming what does
 * not exist. `versions` is undefined when there is no template of that name.
 */
export function resolveVersion(name: string, selector: VersionSelector, versions: TemplateVersions | undefined, param: string): number {
  if (versions === undefined) throw new TemplateError('template_not_found', `Template '${name}' does not exist`, { param });
  switch (selector.kind) {
    case 'version':
      if (selector.version > versions.latestVersion)
        throw new TemplateError('template_not_found', `Template '${name}' has no version ${selector.version} (latest: ${versions.latestVersion})`, { param });
      return selector.version;
    case 'label': {
      if (selector.label === LATEST_LABEL) return versions.latestVersion;
      const version = versions.labels.get(selector.label);
      if (version === undefined) throw new TemplateError('template_not_found', `Template '${name}' has no label '${selector.label}'`, { param });
      return version;
    }
    case 'default':
      return versions.labels.get(DEFAULT_LABEL) ?? versions.latestVersion;
  }
}
