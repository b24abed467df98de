/**
 * The features of a /v1/responses body (validated by lib/validate first), for the translation
 * policy: its top-level fields (the parts of text, reasoning and stream_options one by one),
 * function tools' strict, every input item's type and every content part's type (a message's,
 * and a function output's). A reasoning item is one feature: its parts go wherever it goes.
 * Linear in the body's size.
 */
import { isObject, own } from '../validate/checks';
import type { Path } from '../validate/issue';
import { type Feature, Features, objectsOf } from './feature';
import { RESPONSES_NESTED } from './responses-rules';

export function responsesFeatures(body: Record<string, unknown>): Feature[] {
  const found = new Features();
  for (const [key, value] of Object.entries(body)) {
    if (RESPONSES_NESTED.has(key) && isObject(value)) found.fields(value, [key], `${key}.`);
    else found.add(key, [key], value);
  }
  for (const [tool, i] of objectsOf(own(body, 'tools'))) found.add('strict', ['tools', i, 'strict'], own(tool, 'strict'));
  for (const [item, i] of objectsOf(own(body, 'input'))) {
    // An item without a type is a message (EasyInputMessage).
    const type = String(own(item, 'type') ?? 'message');
    found.add(`item:${type}`, ['input', i], type, `input item type '${type}'`);
    if (type === 'message') parts(found, own(item, 'content'), ['input', i, 'content']);
    if (type === 'function_call_output') parts(found, own(item, 'output'), ['input', i, 'output']);
  }
  return found.list;
}

function parts(found: Features, content: unknown, path: Path): void {
  for (const [part, j] of objectsOf(content)) {
    const type = String(own(part, 'type'));
    found.add(`part:${type}`, [...path, j], type, `content part type '${type}'`);
  }
}
