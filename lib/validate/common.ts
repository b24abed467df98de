/** Shapes every client format carries: the model name, Anthropic's cache_control and thinking config, JSON text fields. */
import { MAX_JSON_DEPTH, MAX_MODEL_LENGTH, MAX_OUTPUT_TOKENS, MIN_THINKING_BUDGET } from './bounds';
import { type Check, integer, noFields, object, oneOf, optional, required, string, tagged } from './checks';
import { textNestingExceeds } from './depth';
import { reject } from './issue';

/** The public model name the client asks for (looked up in a Map by aigw-proxy). */
export const model: Check = string({ min: 1, max: MAX_MODEL_LENGTH });

/** CacheControlEphemeral (@anthropic-ai/sdk): `{type: 'ephemeral', ttl?: '5m' | '1h'}`. */
export const cacheControl: Check = object((o, path) => {
  required(o, 'type', path, oneOf(['ephemeral']));
  optional(o, 'ttl', path, oneOf(['5m', '1h']));
});

const display: Check = oneOf(['summarized', 'omitted']);

/** ThinkingConfigParam (@anthropic-ai/sdk); budget_tokens "must be ≥1024". */
export const thinkingConfig: Check = tagged([
  [
    'enabled',
    (o, path) => {
      required(o, 'budget_tokens', path, integer(MIN_THINKING_BUDGET, MAX_OUTPUT_TOKENS));
      optional(o, 'display', path, display);
    },
  ],
  ['adaptive', (o, path) => optional(o, 'display', path, display)],
  ['disabled', noFields],
  ['between_tools', noFields],
]);

/**
 * A string of JSON the adapters parse and serialise again (tool-call arguments). It need not be
 * valid (models emit broken JSON, and adapters refuse it for the targets that need an object),
 * but its nesting is bounded like the body's.
 */
export const jsonText: Check = (value, path) => {
  string()(value, path);
  if (textNestingExceeds(value as string, MAX_JSON_DEPTH)) {
    reject({ kind: 'rule', path, message: `nested more than ${MAX_JSON_DEPTH} levels deep`, code: 'invalid_value' });
  }
};
