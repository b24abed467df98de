/**
 * The features of a GenerateContentRequest (validated by lib/validate first), for the translation
 * policy: its top-level fields (generationConfig, toolConfig and their nested configs field by
 * field), each tool's kind and each function declaration's fields, and every part's fields
 * (inlineData by MIME family) in contents and systemInstruction. Linear in the body's size.
 */
import { isObject, own } from '../validate/checks';
import type { Path } from '../validate/issue';
import { type Feature, Features, objectsOf } from './feature';
import { GOOGLE_NESTED, inlineDataKind } from './google-rules';

export function googleFeatures(body: Record<string, unknown>): Feature[] {
  const found = new Features();
  // In the body's order, so the first refusal is the first thing refused in it.
  for (const [key, value] of Object.entries(body)) {
    fieldsOf(found, { [key]: value }, [], '');
    if (key === 'tools') tools(found, value);
    else if (key === 'systemInstruction' && isObject(value)) parts(found, own(value, 'parts'), ['systemInstruction', 'parts']);
    else if (key === 'contents') for (const [content, i] of objectsOf(value)) parts(found, own(content, 'parts'), ['contents', i, 'parts']);
  }
  return found.list;
}

/** Each tool's kind, and each function declaration's fields. */
function tools(found: Features, list: unknown): void {
  for (const [tool, i] of objectsOf(list)) {
    for (const [kind, value] of Object.entries(tool)) found.add(`tool:${kind}`, ['tools', i, kind], value, `the ${kind} tool`);
    for (const [declaration, k] of objectsOf(own(tool, 'functionDeclarations'))) {
      found.fields(declaration, ['tools', i, 'functionDeclarations', k], 'functionDeclaration.');
    }
  }
}

/** An object's fields, each a feature `prefix + key`; a nested config's own fields one level down. */
function fieldsOf(found: Features, object: Record<string, unknown>, path: Path, prefix: string): void {
  for (const [key, value] of Object.entries(object)) {
    const id = prefix + key;
    if (GOOGLE_NESTED.has(id) && isObject(value)) fieldsOf(found, value, [...path, key], `${id}.`);
    else found.add(id, [...path, key], value);
  }
}

/** Every field of every part: its data (text, inlineData by MIME family, functionCall, ...) and its metadata (thought, thoughtSignature, ...). */
function parts(found: Features, list: unknown, path: Path): void {
  for (const [part, j] of objectsOf(list)) {
    for (const [key, value] of Object.entries(part)) {
      const id = key === 'inlineData' ? `part:inlineData:${inlineDataKind(isObject(value) ? own(value, 'mimeType') : undefined)}` : `part:${key}`;
      found.add(id, [...path, j, key], value);
      // A tool result's own fields: its media parts and Live API flags have no chat counterpart.
      if (key === 'functionResponse' && isObject(value)) found.fields(value, [...path, j, key], 'functionResponse.');
    }
  }
}
