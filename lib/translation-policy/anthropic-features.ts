/**
 * The features of a /v1/messages body (validated by lib/validate first), for the translation
 * policy: its top-level fields (the parts of output_config and metadata one by one), server
 * tools, every content block's type and its attributes (cache_control, citations, is_error,
 * strict). Linear in the body's size.
 */
import { isObject, own } from '../validate/checks';
import type { Path } from '../validate/issue';
import { ANTHROPIC_NESTED } from './anthropic-rules';
import { type Feature, Features, objectsOf } from './feature';

export function anthropicFeatures(body: Record<string, unknown>): Feature[] {
  const found = new Features();
  for (const [key, value] of Object.entries(body)) {
    if (ANTHROPIC_NESTED.has(key) && isObject(value)) found.fields(value, [key], `${key}.`);
    else found.add(key, [key], value);
  }
  const choice = own(body, 'tool_choice');
  if (isObject(choice))
    found.add('tool_choice.disable_parallel_tool_use', ['tool_choice', 'disable_parallel_tool_use'], own(choice, 'disable_parallel_tool_use'));
  for (const [tool, i] of objectsOf(own(body, 'tools'))) {
    const type = own(tool, 'type');
    if (type !== undefined && type !== null && type !== 'custom') found.add('server_tool', ['tools', i], type, `server tool '${String(type)}'`);
    attributes(found, tool, ['tools', i]);
  }
  for (const [block, i] of objectsOf(own(body, 'system'))) attributes(found, block, ['system', i]);
  for (const [message, i] of objectsOf(own(body, 'messages'))) blocks(found, own(message, 'content'), ['messages', i, 'content']);
  return found.list;
}

/** A block's content blocks; a tool_result's own content is one level further down. */
function blocks(found: Features, content: unknown, path: Path): void {
  for (const [block, j] of objectsOf(content)) {
    const at = [...path, j];
    const type = String(own(block, 'type'));
    found.add(`block:${type}`, at, type, `content block type '${type}'`);
    attributes(found, block, at);
    if (type === 'tool_result') blocks(found, own(block, 'content'), [...at, 'content']);
  }
}

function attributes(found: Features, object: Record<string, unknown>, path: Path): void {
  for (const name of ['cache_control', 'is_error', 'strict']) found.add(name, [...path, name], own(object, name));
  // A document asks for citations with {enabled}; a text block carries earlier ones in an array.
  const citations = own(object, 'citations');
  found.add('citations', [...path, 'citations'], isObject(citations) ? own(citations, 'enabled') : citations);
}
