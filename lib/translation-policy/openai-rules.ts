/**
 * The translation policy of POST /v1/chat/completions (ChatCompletionCreateParams in the openai
 * SDK, plus the gateway's extensions): every request field, content part type and part or tool
 * attribute the gateway knows, and what becomes of it on each target family. OpenAI-format and
 * Azure targets speak this format: they get the request as sent (Azure without the gateway's
 * cache_control), and judge it themselves. A field not listed here passes to them, and is refused
 * where the request is translated (Anthropic, Gemini).
 */
import { D, P, R, type Rule, T } from './rules';

/** OpenAI-format and Azure targets take the field as sent; Anthropic and Gemini as given. */
const translatedTo = (anthropic: Rule['to']['anthropic'], gemini: Rule['to']['gemini'], note: string, inert?: Rule['inert']): Rule => ({
  to: { openai: P, azure: P, anthropic, gemini },
  note,
  ...(inert ? { inert } : {}),
});

export const OPENAI_RULES = {
  model: translatedTo(T, T, 'the target’s model, as routed'),
  messages: translatedTo(T, T, 'each content part by its own rule'),
  stream: translatedTo(T, T, 'streamed in OpenAI’s format'),
  stream_options: translatedTo(T, T, 'usage is always asked for, and shown only when the client asked'),
  max_tokens: translatedTo(T, T, 'max_tokens; Gemini maxOutputTokens'),
  max_completion_tokens: translatedTo(T, T, 'max_tokens; Gemini maxOutputTokens'),
  n: translatedTo(T, T, 'Anthropic answers 1 choice, Gemini up to 8 candidates: more is refused by the adapter, naming n'),
  temperature: translatedTo(T, T, 'Anthropic’s range ends at 1: above it is clamped and counted as temperature_above_1'),
  top_p: translatedTo(T, T, 'top_p; Gemini topP'),
  presence_penalty: translatedTo(D, T, 'Gemini presencePenalty; Claude has no penalties'),
  frequency_penalty: translatedTo(D, T, 'Gemini frequencyPenalty; Claude has no penalties'),
  seed: translatedTo(D, T, 'Gemini seed; Claude has no seed'),
  stop: translatedTo(T, T, 'stop_sequences; Gemini stopSequences'),
  logit_bias: translatedTo(D, D, 'neither biases tokens'),
  logprobs: translatedTo(R, D, 'Claude returns no log probabilities; Gemini’s are not translated', [false]),
  top_logprobs: translatedTo(R, D, 'Claude returns no log probabilities; Gemini’s are not translated'),
  reasoning_effort: translatedTo(T, T, 'Claude thinking budget; Gemini thinkingBudget'),
  verbosity: translatedTo(D, D, 'neither has a verbosity setting'),
  top_k: translatedTo(T, T, 'the gateway’s extension: Claude top_k, Gemini topK'),
  thinking: translatedTo(T, D, 'the gateway’s extension: Claude’s exact thinking budget; Gemini takes reasoning_effort'),
  tools: translatedTo(T, T, 'function tools'),
  custom_tool: translatedTo(R, R, 'custom (free-text) tools have no counterpart'),
  strict: translatedTo(D, D, 'a function’s strict: neither is asked to enforce the schema', [false]),
  tool_choice: translatedTo(T, T, 'none, auto, required, a named function (allowed_tools, custom and any refused by the adapter)'),
  parallel_tool_calls: translatedTo(T, D, 'Claude disable_parallel_tool_use; Gemini cannot be told to call one function at a time', [true]),
  functions: translatedTo(R, R, 'the deprecated functions API is not translated: use tools'),
  function_call: translatedTo(R, R, 'the deprecated functions API is not translated: use tool_choice'),
  response_format: translatedTo(T, T, 'Claude: a forced tool (not with tools or reasoning); Gemini responseMimeType + responseSchema'),
  user: translatedTo(T, D, 'Claude metadata.user_id; Gemini has no end-user id'),
  safety_identifier: translatedTo(D, D, 'OpenAI’s abuse-monitoring id'),
  prompt_cache_key: translatedTo(D, D, 'OpenAI’s cache routing hint'),
  prompt_cache_retention: translatedTo(D, D, 'OpenAI’s cache retention'),
  metadata: translatedTo(D, D, 'OpenAI’s stored-completion tags'),
  service_tier: translatedTo(D, D, 'OpenAI’s processing tiers'),
  store: translatedTo(D, D, 'OpenAI’s stored completions', [false]),
  prediction: translatedTo(D, D, 'OpenAI’s predicted outputs'),
  modalities: translatedTo(D, D, 'text is all either answers (audio output is refused with audio)', [['text']]),
  audio: translatedTo(R, R, 'audio output'),
  web_search_options: translatedTo(R, R, 'OpenAI’s built-in web search'),
  cache_control: {
    to: { openai: P, azure: D, anthropic: T, gemini: D },
    note: 'the gateway’s extension on parts and tools: Claude’s prompt caching; the others cache on their own',
  },
  'part:text': translatedTo(T, T, 'text blocks; Gemini text parts'),
  'part:image_url': translatedTo(T, T, 'base64 or http(s) images (Gemini needs an image URL’s type in its extension)'),
  'part:input_audio': translatedTo(R, T, 'Claude takes no audio; Gemini inlineData'),
  'part:file': translatedTo(T, T, 'inline data only: Claude a PDF document, Gemini inlineData'),
  'part:refusal': translatedTo(D, D, 'an earlier answer’s refusal part is left out of the history'),
} as const satisfies Record<string, Rule>;

export type OpenAIFeature = keyof typeof OPENAI_RULES;
