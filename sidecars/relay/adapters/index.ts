/** Which adapter speaks to which provider type. */
import { OPENAI_COMPATIBLE_PROVIDERS, type ProviderType } from '../../../lib/plan';
import { anthropicAdapter } from './anthropic';
import { azureAdapter } from './azure';
import { geminiAdapter } from './gemini';
import { openaiAdapter } from './openai';
import type { ChatAdapter } from './types';

const OPENAI_COMPATIBLE: ReadonlySet<string> = new Set(OPENAI_COMPATIBLE_PROVIDERS);

export function isOpenAICompatible(provider: ProviderType): boolean {
  return OPENAI_COMPATIBLE.has(provider);
}

const TRANSLATING: Partial<Record<ProviderType, ChatAdapter>> = {
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  azure: azureAdapter,
};

export function adapterFor(provider: ProviderType): ChatAdapter {
  if (isOpenAICompatible(provider)) return openaiAdapter;
  const adapter = TRANSLATING[provider];
  if (!adapter) throw new Error(`no adapter for provider ${provider}`);
  return adapter;
}
