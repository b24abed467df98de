/**
 * Content blocks of Anthropic's Messages API (ContentBlockParam in @anthropic-ai/sdk): the ones
 * the gateway translates are checked field by field; the other documented types (server tool
 * results, search results, container uploads) are known by name, and lib/translation-policy
 * refuses them where the request is translated.
 */
import { MAX_CONTENT_PARTS, MAX_ID_LENGTH, MAX_TOOL_NAME_LENGTH } from './bounds';
import { anyObject, arrayOf, boolean, type Check, either, type FieldsCheck, noFields, oneOf, optional, required, string, tagged } from './checks';
import { cacheControl } from './common';

function cacheable(fields: FieldsCheck): FieldsCheck {
  return (o, path) => {
    fields(o, path);
    optional(o, 'cache_control', path, cacheControl);
  };
}

/** Documented block types the gateway does not translate: valid here, refused by the translation policy. */
const untranslated = (...types: string[]) => types.map((type) => [type, noFields] as const);
const UNTRANSLATED_BLOCKS = untranslated(
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
);

const textFields: FieldsCheck = cacheable((o, path) => {
  required(o, 'text', path, string());
  optional(o, 'citations', path, arrayOf(anyObject, { max: MAX_CONTENT_PARTS }));
});

/** Base64ImageSource, URLImageSource, FileImageSource. */
const imageSource: Check = tagged([
  [
    'base64',
    (o, path) => {
      required(o, 'media_type', path, oneOf(['image/jpeg', 'image/png', 'image/gif', 'image/webp']));
      required(o, 'data', path, string());
    },
  ],
  ['url', (o, path) => required(o, 'url', path, string())],
  ['file', (o, path) => required(o, 'file_id', path, string())],
]);
const imageFields: FieldsCheck = cacheable((o, path) => required(o, 'source', path, imageSource));

/** Base64PDFSource, PlainTextSource, ContentBlockSource, URLPDFSource, FileDocumentSource. */
const documentSource: Check = tagged([
  [
    'base64',
    (o, path) => {
      required(o, 'media_type', path, oneOf(['application/pdf']));
      required(o, 'data', path, string());
    },
  ],
  [
    'text',
    (o, path) => {
      required(o, 'media_type', path, oneOf(['text/plain']));
      required(o, 'data', path, string());
    },
  ],
  [
    'content',
    (o, path) =>
      required(
        o,
        'content',
        path,
        either({
          string: string(),
          array: arrayOf(
            tagged([
              ['text', textFields],
              ['image', imageFields],
            ]),
            { max: MAX_CONTENT_PARTS },
          ),
        }),
      ),
  ],
  ['url', (o, path) => required(o, 'url', path, string())],
  ['file', (o, path) => required(o, 'file_id', path, string())],
]);
const documentFields: FieldsCheck = cacheable((o, path) => {
  required(o, 'source', path, documentSource);
  optional(o, 'title', path, string());
  optional(o, 'context', path, string());
  optional(o, 'citations', path, anyObject);
});

/** What a tool_result may hold (ToolResultBlockParam.content). */
const toolResultContent: Check = either({
  string: string(),
  array: arrayOf(
    tagged([['text', textFields], ['image', imageFields], ['document', documentFields], ...untranslated('search_result', 'tool_reference', 'browser_state')]),
    {
      max: MAX_CONTENT_PARTS,
    },
  ),
});

export const contentBlock: Check = tagged([
  ['text', textFields],
  ['image', imageFields],
  ['document', documentFields],
  [
    'tool_use',
    cacheable((o, path) => {
      required(o, 'id', path, string({ min: 1, max: MAX_ID_LENGTH }));
      required(o, 'name', path, string({ min: 1, max: MAX_TOOL_NAME_LENGTH }));
      required(o, 'input', path, anyObject);
    }),
  ],
  [
    'tool_result',
    cacheable((o, path) => {
      required(o, 'tool_use_id', path, string({ min: 1, max: MAX_ID_LENGTH }));
      optional(o, 'content', path, toolResultContent);
      optional(o, 'is_error', path, boolean);
    }),
  ],
  [
    'thinking',
    (o, path) => {
      required(o, 'thinking', path, string());
      required(o, 'signature', path, string());
    },
  ],
  ['redacted_thinking', (o, path) => required(o, 'data', path, string())],
  ...UNTRANSLATED_BLOCKS,
]);

/** The system prompt's blocks: text only (TextBlockParam). */
export const systemBlock: Check = tagged([['text', textFields]]);
