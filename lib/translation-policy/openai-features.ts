/**
 * The features of a /v1/chat/completions body (validated by lib/validate first), for the
 * translation policy: its top-level fields, custom and strict tools, every content part's type
 * and the gateway's cache_control on parts and tools. Linear in the body's size.
 */
import { isObject, own } from '../validate/checks';
import { type Feature, Features, objectsOf } from './feature';

export function openAIFeatures(body: Record<string, unknown>): Feature[] {
  const found = new Features();
  found.fields(body, []);
  for (const [tool, i] of objectsOf(own(body, 'tools'))) {
    const type = own(tool, 'type');
    if (type === 'custom') found.add('custom_tool', ['tools', i], type, "a custom tool (type 'custom')");
    const fn = own(tool, 'function');
    if (isObject(fn)) found.add('strict', ['tools', i, 'function', 'strict'], own(fn, 'strict'));
    found.add('cache_control', ['tools', i, 'cache_control'], own(tool, 'cache_control'));
  }
  for (const [message, i] of objectsOf(own(body, 'messages'))) {
    for (const [part, j] of objectsOf(own(message, 'content'))) {
      const type = String(own(part, 'type'));
      found.add(`part:${type}`, ['messages', i, 'content', j], type, `content part type '${type}'`);
      found.add('cache_control', ['messages', i, 'content', j, 'cache_control'], own(part, 'cache_control'));
    }
  }
  return found.list;
}
