/**
 * The provider registry: every provider type a model's target may name, one line each, with the
 * wire format it speaks and what it can do. aigw-proxy takes its config schema's provider names
 * from here (through lib/plan.ts); the relay finds each wire format's adapters in
 * sidecars/relay/adapters/<wire>/ and reads the flags; `make dev` points each target at the mock
 * speaking its wire format. Data only, no adapter code, so the plugin bundle stays small.
 * docs/adding-a-provider.md walks through adding one.
 */

export interface ProviderFacts {
  /** The HTTP API it speaks: the relay's adapter folder and the dev mock's dialect. */
  wire: string;
  /** `false`: refuses `stream_options` (read by the OpenAI wire format's adapter); absent means it takes it. */
  streamOptions?: false;
  /**
   * `true`: it counts a prompt's input tokens exactly, by the endpoint its wire format's adapter
   * calls (Anthropic count_tokens, Gemini countTokens, OpenAI responses/input_tokens); absent:
   * /v1/messages/count_tokens is answered with the gateway's own estimate.
   */
  countsTokens?: true;
  /** `true`: serves OpenAI's Responses API (/responses), so /v1/responses clients pass through; absent: translated. */
  responses?: true;
}

export const PROVIDERS = {
  // Only OpenAI's own API has responses/input_tokens among the servers on its wire format, and its
  // Responses support is the reference (compatible servers implement subsets).
  openai: { wire: 'openai', countsTokens: true, responses: true },
  groq: { wire: 'openai' },
  deepseek: { wire: 'openai' },
  xai: { wire: 'openai' },
  // Reports usage in its last chunk unasked, and has no stream_options parameter.
  mistral: { wire: 'openai', streamOptions: false },
  ollama: { wire: 'openai' },
  vllm: { wire: 'openai' },
  huggingface: { wire: 'openai' },
  'openai-compatible': { wire: 'openai' },
  anthropic: { wire: 'anthropic', countsTokens: true },
  gemini: { wire: 'gemini', countsTokens: true },
  azure: { wire: 'azure' },
} as const satisfies Record<string, ProviderFacts>;

export type ProviderType = keyof typeof PROVIDERS;

/** The wire formats the registry names; the relay's adapter table must cover each (tsc checks). */
export type WireFormat = (typeof PROVIDERS)[ProviderType]['wire'];

/** Every provider type, in registry order (the plugin schema's `one_of`). */
export const PROVIDER_TYPES = Object.keys(PROVIDERS) as readonly ProviderType[];

export function isProviderType(name: string): name is ProviderType {
  return Object.hasOwn(PROVIDERS, name);
}

export function wireFormatOf(provider: ProviderType): WireFormat {
  return PROVIDERS[provider].wire;
}

/** Whether /v1/responses requests pass through to it (it serves the Responses API itself). */
export function speaksResponses(provider: ProviderType): boolean {
  const facts: ProviderFacts = PROVIDERS[provider];
  return facts.responses === true;
}

/** Whether a streamed request may ask for the usage chunk (`stream_options.include_usage`). */
export function takesStreamOptions(provider: ProviderType): boolean {
  const facts: ProviderFacts = PROVIDERS[provider];
  return facts.streamOptions !== false;
}

/** Whether the provider counts input tokens exactly (else the gateway estimates them). */
export function countsTokens(provider: ProviderType): boolean {
  const facts: ProviderFacts = PROVIDERS[provider];
  return facts.countsTokens === true;
}
