/**
 * The translation policy of POST /v1/responses (ResponseCreateParams in the openai SDK): every
 * request field, part of `text` and `reasoning`, input item type, content part type and tool
 * attribute, and what becomes of it where the request is translated. OpenAI's own API serves the
 * Responses API and gets the request as sent (speaksResponses: every feature passes); every other
 * target gets it as a chat request (client-formats/responses/request.ts) that then follows the chat
 * rules: the `openai` column is the OpenAI-format servers that speak chat only (Groq, vLLM, …).
 * What the validator refuses for every target (lib/validate/openai-responses.ts) is refused here
 * too, so the table names every field.
 */
import { D, everywhere, R, type Rule, T } from './rules';

/** Reaches the chat request, which OpenAI-format servers and Azure take as sent; Anthropic and Gemini as given. */
const viaChat = (anthropic: Rule['to']['anthropic'], gemini: Rule['to']['gemini'], note: string, inert?: Rule['inert']): Rule => ({
  to: { openai: T, azure: T, anthropic, gemini },
  note,
  ...(inert ? { inert } : {}),
});

/** The validator's 400, whatever the target: the gateway cannot serve it on every one. */
const refusedByValidator = (note: string, inert?: Rule['inert']): Rule => ({ ...everywhere(R, note), ...(inert ? { inert } : {}) });

export const RESPONSES_RULES = {
  model: everywhere(T, 'the target’s model, as routed'),
  input: everywhere(T, 'chat messages: each item and content part by its own rule'),
  instructions: everywhere(T, 'a system message; Claude system, Gemini systemInstruction'),
  previous_response_id: everywhere(T, 'the kept response’s items are put before the input (kept per tenant by the gateway)'),
  tools: everywhere(T, 'function tools (built-in tools are refused by the validator)'),
  strict: viaChat(D, D, 'a function’s strict: neither Claude nor Gemini is asked to enforce the schema', [false]),
  tool_choice: everywhere(T, 'none, auto, required, a named function'),
  parallel_tool_calls: viaChat(T, D, 'Claude disable_parallel_tool_use; Gemini cannot be told to call one function at a time', [true]),
  'text.format': everywhere(T, 'response_format: Claude a forced tool, Gemini responseMimeType + responseSchema'),
  'text.verbosity': viaChat(D, D, 'verbosity; neither Claude nor Gemini has a verbosity setting'),
  'reasoning.effort': everywhere(T, 'reasoning_effort: Claude thinking budget, Gemini thinkingBudget'),
  'reasoning.summary': everywhere(D, 'chat has no summary setting: reasoning the target returns is shown as a summary anyway'),
  'reasoning.generate_summary': everywhere(D, 'the deprecated name of reasoning.summary, left out as it is'),
  truncation: everywhere(T, 'only disabled (the default) is accepted: the whole context is sent'),
  max_output_tokens: everywhere(T, 'max_completion_tokens; Claude max_tokens, Gemini maxOutputTokens'),
  temperature: everywhere(T, 'Anthropic’s range ends at 1: above it is clamped and counted as temperature_above_1'),
  top_p: everywhere(T, 'top_p; Gemini topP'),
  stream: everywhere(T, 'streamed as Responses events, usage always asked for'),
  'stream_options.include_obfuscation': { ...everywhere(D, 'the gateway’s events carry no obfuscation padding'), inert: [false] },
  store: everywhere(T, 'kept by the gateway for previous_response_id (store: false keeps nothing)'),
  metadata: everywhere(D, 'OpenAI’s tags for stored responses: echoed in the answer, sent to no other target'),
  include: everywhere(D, 'encrypted reasoning is OpenAI’s: no other target returns it'),
  user: viaChat(T, D, 'Claude metadata.user_id; Gemini has no end-user id'),
  safety_identifier: viaChat(D, D, 'OpenAI’s abuse-monitoring id'),
  prompt_cache_key: viaChat(D, D, 'OpenAI’s cache routing hint'),
  background: refusedByValidator('responses are streamed or answered, never run in the background', [false]),
  conversation: refusedByValidator('OpenAI’s conversation objects: continue with previous_response_id'),
  context_management: refusedByValidator('OpenAI’s server-side compaction'),
  prompt: refusedByValidator('prompt templates live at OpenAI'),
  prompt_cache_retention: refusedByValidator('OpenAI’s cache retention'),
  service_tier: refusedByValidator('OpenAI’s processing tiers'),
  'item:message': everywhere(T, 'a chat message of its role (an item without type is one)'),
  'item:function_call': everywhere(T, 'an assistant tool call (consecutive calls share one message)'),
  'item:function_call_output': everywhere(T, 'a tool message; images in it follow in a user message'),
  'item:reasoning': everywhere(D, 'only the provider that wrote it could read it back'),
  'part:input_text': everywhere(T, 'text'),
  'part:input_image': everywhere(T, 'an image_url part (Gemini needs an image URL’s type in its extension)'),
  'part:output_text': everywhere(T, 'the assistant’s text (its annotations and logprobs are not sent back)'),
  'part:refusal': everywhere(T, 'the assistant’s text, as the model wrote it'),
} as const satisfies Record<string, Rule>;

export type ResponsesFeature = keyof typeof RESPONSES_RULES;

/** Object fields whose own fields each have a rule (`text.verbosity`), so an unknown one is caught. */
export const RESPONSES_NESTED: ReadonlySet<string> = new Set(['text', 'reasoning', 'stream_options']);
