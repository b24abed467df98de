/**
 * The relay's side of the provider registry (lib/providers.ts): each wire format's adapters, one
 * line each. A provider on an existing wire format needs nothing here; a new wire format needs
 * its folder and its line (tsc insists: the table must cover every WireFormat).
 */
import { countsTokens, type ProviderType, type WireFormat, wireFormatOf } from '../../../lib/providers';
import { anthropicSpec } from './anthropic';
import { azureSpec } from './azure';
import { geminiSpec } from './gemini';
import { openaiSpec } from './openai';
import type { AdapterSpec, EmbeddingsAdapter, TokenCountAdapter } from './types';

const ADAPTERS: Record<WireFormat, AdapterSpec> = {
  openai: openaiSpec,
  azure: azureSpec,
  anthropic: anthropicSpec,
  gemini: geminiSpec,
};

export function adaptersFor(provider: ProviderType): AdapterSpec {
  return ADAPTERS[wireFormatOf(provider)];
}

/** null: the provider speaks OpenAI's embeddings API (pass-through). */
export function embeddingsAdapterFor(provider: ProviderType): EmbeddingsAdapter | null {
  return adaptersFor(provider).embeddings;
}

/** Every client header some provider reads natively (the relay forwards these, and only these, on native pass-through). */
export const NATIVE_FORWARDED_HEADERS: readonly string[] = [...new Set(Object.values(ADAPTERS).flatMap((spec) => spec.native?.forwardedHeaders ?? []))];

/** null: the provider has no exact input-token count, and the gateway estimates it. */
export function tokenCountAdapterFor(provider: ProviderType): TokenCountAdapter | null {
  return countsTokens(provider) ? adaptersFor(provider).countTokens : null;
}
