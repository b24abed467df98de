/**
 * A template version made ready to render many times: every message (or the text) compiled and
 * linked with its partials, and the hash of exactly what it renders from. Preparing is what a
 * save checks and what a plugin caches; rendering checks the request's variables and renders
 * every part with one shared budget.
 */
import { sha256Hex } from '../plan';
import { canonicalJson } from '../semantic-cache/scope';
import { type CompiledTemplate, compileTemplate } from './compile';
import type { JsonValue, TemplateDefinition, TemplateMessage } from './model';
import { type LinkedTemplate, linkTemplate } from './partials';
import { RenderBudget, type RenderLimits, renderLinked } from './render';
import { resolveVariables } from './variables';

export interface PreparedTemplate {
  readonly definition: TemplateDefinition;
  /** One per message of a chat template, one for a text template. */
  readonly parts: readonly LinkedTemplate[];
  /** The partials the template reaches, sorted by name. */
  readonly partials: readonly string[];
  /** sha256 (hex) of the canonical definition and the sources of the partials it reaches: the semantic cache's scope. */
  readonly hash: string;
}

export type RenderedTemplate = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'chat'; readonly messages: readonly TemplateMessage[] };

/** Bumped when the canonical form changes, so old hashes never collide with new ones. */
const HASH_FORMAT = 1;

function sourcesOf(definition: TemplateDefinition): { source: string; param: string }[] {
  return definition.kind === 'text'
    ? [{ source: definition.text, param: 'text' }]
    : definition.messages.map((message, index) => ({ source: message.content, param: `messages.${index}.content` }));
}

/**
 * The hash of what a template renders from: body, variables (in name order: their order means
 * nothing), model, params and the partials' sources. Names and version numbers are left out, so
 * two versions with the same content share cached answers.
 */
export function templateHash(definition: TemplateDefinition, partialSources: ReadonlyMap<string, string>): string {
  const variables = [...definition.variables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const body = definition.kind === 'text' ? { kind: 'text', text: definition.text } : { kind: 'chat', messages: definition.messages };
  const partials = Object.fromEntries([...partialSources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return sha256Hex(canonicalJson({ format: HASH_FORMAT, body, variables, model: definition.model, params: definition.params, partials }));
}

/**
 * Compiles and links a definition (from parseTemplateDefinition) with the partials available by
 * name. Throws a TemplateError: syntax (with line, column and the field), a missing partial, a cycle, nesting.
 */
export function prepareTemplate(definition: TemplateDefinition, partialSources: ReadonlyMap<string, string>): PreparedTemplate {
  const compiledPartials = new Map<string, CompiledTemplate>();
  const lookup = (name: string): CompiledTemplate | undefined => {
    const known = compiledPartials.get(name);
    if (known !== undefined) return known;
    const source = partialSources.get(name);
    if (source === undefined) return undefined;
    const compiled = compileTemplate(source, `partials.${name}`);
    compiledPartials.set(name, compiled);
    return compiled;
  };
  const parts = sourcesOf(definition).map(({ source, param }) => linkTemplate(compileTemplate(source, param), lookup, param));
  const partials = [...compiledPartials.keys()].sort();
  const used = new Map(partials.map((name) => [name, partialSources.get(name)!]));
  return { definition, parts, partials, hash: templateHash(definition, used) };
}

export interface RenderOptions {
  /** Where the request carried the variables, for errors: `prompt.variables` or `properties`. */
  readonly param: string;
  readonly limits?: RenderLimits;
}

/** Checks the request's variables and renders every part. Throws a TemplateError (`invalid_variables`, `render_limit`). */
export function renderTemplate(prepared: PreparedTemplate, variables: unknown, options: RenderOptions): RenderedTemplate {
  const view: Record<string, JsonValue> = resolveVariables(prepared.definition.variables, variables, options.param);
  const budget = new RenderBudget(options.limits);
  const texts = prepared.parts.map((part) => renderLinked(part, view, budget));
  const { definition } = prepared;
  if (definition.kind === 'text') return { kind: 'text', text: texts[0] };
  return { kind: 'chat', messages: definition.messages.map((message, index) => ({ role: message.role, content: texts[index] })) };
}
