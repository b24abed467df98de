/**
 * The translation policy of POST /v1/messages (Anthropic's Messages API): every request field
 * (MessageCreateParams in @anthropic-ai/sdk, beta fields included), content block type and block
 * attribute the gateway knows, and what becomes of it on each target family. Anthropic targets
 * get the request as sent (native pass-through: every feature passes); on a failover to another
 * family, what has no canonical form rides along for it. A field not listed here is refused
 * wherever the request is translated.
 */
import { D, everywhere, passedOn, R, type Rule, T } from './rules';

/** Anthropic's own: kept for Claude, dropped and counted for the others. */
const claudeOnly = (note: string): Rule => ({ to: { openai: D, azure: D, anthropic: T, gemini: D }, note });

const TRANSLATED = {
  model: everywhere(T, 'the target’s model, as routed'),
  max_tokens: everywhere(T, 'max_completion_tokens; Gemini maxOutputTokens'),
  messages: everywhere(T, 'each content block by its own rule'),
  system: everywhere(T, 'a system message; Gemini systemInstruction'),
  stop_sequences: everywhere(T, 'stop; Gemini stopSequences (OpenAI takes 4 and Gemini 5: more is their 400)'),
  temperature: everywhere(T, 'the same value: Anthropic’s range (0–1) lies within the others’'),
  top_p: everywhere(T, 'top_p; Gemini topP'),
  top_k: { to: { openai: D, azure: D, anthropic: T, gemini: T }, note: 'Gemini topK; OpenAI samples without top-k' },
  stream: everywhere(T, 'streamed in the client’s format, usage always asked for'),
  'metadata.user_id': { to: { openai: T, azure: T, anthropic: T, gemini: D }, note: 'OpenAI user; Gemini has no end-user id' },
  tools: everywhere(T, 'custom tools become functions; server tools are server_tool'),
  tool_choice: everywhere(T, 'auto, any (required), tool (a named function), none'),
  'tool_choice.disable_parallel_tool_use': {
    to: { openai: T, azure: T, anthropic: T, gemini: D },
    note: 'parallel_tool_calls: false; Gemini cannot be told to call one function at a time',
    inert: [false],
  },
  thinking: everywhere(T, 'exact for Claude; elsewhere reasoning_effort (budget < 8192 low, < 16384 medium, else high; adaptive medium)'),
  cache_control: claudeOnly('prompt-caching breakpoints (top level, system, blocks, tools); OpenAI and Gemini cache prefixes on their own'),
  'output_config.format': everywhere(T, 'structured outputs: response_format json_schema (strict); Gemini responseMimeType + responseSchema'),
  'output_config.effort': claudeOnly('effort paces text and tool calls, not only reasoning: reasoning_effort is no faithful counterpart'),
  output_format: everywhere(T, 'the deprecated name of output_config.format, translated the same way'),
  service_tier: claudeOnly('Anthropic’s capacity tiers'),
  inference_geo: claudeOnly('Anthropic’s inference region'),
  speed: claudeOnly('Anthropic’s fast mode'),
  diagnostics: claudeOnly('Anthropic’s prompt-cache diagnostics'),
  container: { to: { openai: R, azure: R, anthropic: T, gemini: R }, note: 'a code-execution container lives in Anthropic’s API' },
  mcp_servers: everywhere(R, 'MCP connectors run inside Anthropic’s API, as a beta the translated path does not enable'),
  context_management: everywhere(D, 'server-side context editing (a beta the translated path does not enable): the whole conversation is sent'),
  compaction: everywhere(R, 'a compaction request answers with a compaction block no other API produces'),
  thread: everywhere(R, 'server-held conversation state: without it the earlier turns would be lost'),
  fallbacks: everywhere(D, 'Anthropic’s server-side model fallback; the gateway’s own failover applies'),
  fallback_credit_token: everywhere(D, 'an Anthropic billing credit for a retried refusal'),
  billing_policy: everywhere(R, 'who pays is the gateway’s budgets to decide'),
  server_tool: everywhere(R, 'server tools (web search, code execution, …) run inside Anthropic’s API'),
  strict: {
    to: { openai: T, azure: T, anthropic: D, gemini: D },
    note: 'a custom tool’s strict: function.strict; the canonical round trip to Claude and Gemini loses it',
    inert: [false],
  },
  is_error: { ...claudeOnly('OpenAI and Gemini tool results carry no error flag'), inert: [false] },
  citations: { ...everywhere(D, 'citations (on documents and text) are not translated, not even for Claude'), inert: [false, []] },
  'block:text': everywhere(T, 'text parts'),
  'block:image': everywhere(T, 'base64 and url sources (file sources refused); Gemini needs an image URL’s type in its extension'),
  'block:document': everywhere(T, 'base64 PDF becomes a file part, plain text a text part; other sources refused'),
  'block:search_result': everywhere(R, 'no other API takes search results with their sources'),
  'block:tool_use': everywhere(T, 'assistant tool calls'),
  'block:tool_result': everywhere(T, 'tool messages (Gemini functionResponse); images in them follow in a user message'),
  'block:thinking': {
    to: { openai: T, azure: D, anthropic: T, gemini: D },
    note: 'reasoning_content for OpenAI-format servers that read it back; signed blocks replayed only to Claude',
  },
  'block:redacted_thinking': claudeOnly('encrypted reasoning only Claude can read'),
  'block:server_tool_use': everywhere(R, 'server tool calls run inside Anthropic’s API'),
  'block:web_search_tool_result': everywhere(R, 'a server tool’s result'),
  'block:web_fetch_tool_result': everywhere(R, 'a server tool’s result'),
  'block:code_execution_tool_result': everywhere(R, 'a server tool’s result'),
  'block:bash_code_execution_tool_result': everywhere(R, 'a server tool’s result'),
  'block:text_editor_code_execution_tool_result': everywhere(R, 'a server tool’s result'),
  'block:tool_search_tool_result': everywhere(R, 'a server tool’s result'),
  'block:container_upload': everywhere(R, 'a file in a code-execution container'),
  'block:tool_reference': everywhere(R, 'a reference to a deferred tool, found by Anthropic’s tool search'),
  'block:browser_state': everywhere(R, 'the state of Anthropic’s browser toolset'),
} as const satisfies Record<string, Rule>;

export const ANTHROPIC_RULES = passedOn('anthropic', TRANSLATED);

export type AnthropicFeature = keyof typeof ANTHROPIC_RULES;

/** Object fields whose own fields each have a rule (`output_config.format`), so an unknown one is caught. */
export const ANTHROPIC_NESTED: ReadonlySet<string> = new Set(['output_config', 'metadata']);
