/**
 * Message content in OpenAI's chat format: a string or an array of content parts
 * (ChatCompletionContentPart and ChatCompletionContentPartRefusal in the openai SDK). Part types
 * the gateway does not know pass through to OpenAI-compatible servers (vLLM's `video_url`);
 * translating adapters refuse them with a 400.
 */
import { MAX_CONTENT_PARTS, MAX_KEYWORD_LENGTH } from './bounds';
import { arrayOf, type Check, either, type FieldsCheck, object, oneOf, optional, required, string, tagged } from './checks';
import { cacheControl } from './common';

/** Every part may carry the gateway's cache_control extension (kept for Anthropic targets). */
function withCacheControl(fields: FieldsCheck): FieldsCheck {
  return (o, path) => {
    fields(o, path);
    optional(o, 'cache_control', path, cacheControl);
  };
}

const imageUrl: Check = object((o, path) => {
  required(o, 'url', path, string());
  optional(o, 'detail', path, oneOf(['auto', 'low', 'high']));
});

const inputAudio: Check = object((o, path) => {
  required(o, 'data', path, string());
  required(o, 'format', path, string({ min: 1, max: MAX_KEYWORD_LENGTH }));
});

const file: Check = object((o, path) => {
  optional(o, 'file_data', path, string());
  optional(o, 'file_id', path, string());
  optional(o, 'filename', path, string());
});

export const contentPart: Check = tagged(
  [
    ['text', withCacheControl((o, path) => required(o, 'text', path, string()))],
    ['image_url', withCacheControl((o, path) => required(o, 'image_url', path, imageUrl))],
    ['input_audio', withCacheControl((o, path) => required(o, 'input_audio', path, inputAudio))],
    ['file', withCacheControl((o, path) => required(o, 'file', path, file))],
    ['refusal', withCacheControl((o, path) => required(o, 'refusal', path, string()))],
  ],
  withCacheControl(() => undefined),
);

export const messageContent: Check = either({ string: string(), array: arrayOf(contentPart, { max: MAX_CONTENT_PARTS }) });
