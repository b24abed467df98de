/**
 * Prices and cost arithmetic. Costs are integer nano-USD, rounded up per request, so budgets in
 * Redis add exactly and a request is never billed below its price.
 */
import catalogue from './catalogue.json';

/** USD per million tokens, as providers publish them. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache; defaults to the input price. */
  cached_read?: number | null;
  /** Prompt tokens written to the provider's cache (Anthropic); defaults to the input price. */
  cached_write?: number | null;
  max_output_tokens?: number;
  context_window?: number;
  /** The most tokens one image input can cost on this model (catalogue's image_note for sources). */
  max_image_tokens?: number;
}

export interface BilledUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens?: number;
}

export const CATALOGUE_VERSION: string = catalogue.version;
const MODELS = catalogue.models as Record<string, ModelPrice>;
/** Longest names first, so "gpt-4o-mini-2024-07-18" matches gpt-4o-mini before gpt-4o. */
const NAMES_BY_LENGTH = Object.keys(MODELS).sort((a, b) => b.length - a.length);

/** The catalogue price of a provider model: exact name, else a dated/suffixed variant of a listed one. */
export function catalogPrice(providerModel: string): ModelPrice | null {
  if (Object.hasOwn(MODELS, providerModel)) return MODELS[providerModel];
  const base = NAMES_BY_LENGTH.find((name) => providerModel.startsWith(`${name}-`) || providerModel.startsWith(`${name}@`));
  return base ? MODELS[base] : null;
}

/** $/M tokens → nano-USD per token is a factor of 1000. */
const NANO_PER_TOKEN_PER_USD_PER_MTOK = 1000;

function nano(tokens: number, usdPerMTok: number): number {
  return tokens * usdPerMTok * NANO_PER_TOKEN_PER_USD_PER_MTOK;
}

export function costNano(usage: BilledUsage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
  const plainPrompt = usage.promptTokens - cached - cacheWrite;
  const total =
    nano(plainPrompt, price.input) +
    nano(cached, price.cached_read ?? price.input) +
    nano(cacheWrite, price.cached_write ?? price.input) +
    nano(usage.completionTokens, price.output);
  // Float products like 0.075 * 1000 are not exact: round a hair down before rounding up.
  return Math.ceil(total - 1e-6);
}

/**
 * The most a request can cost: every prompt token at the dearest prompt rate and the full output
 * allowance. This is what a budget reserves before the call.
 */
export function worstCaseNano(promptTokens: number, maxOutputTokens: number, price: ModelPrice): number {
  const promptRate = Math.max(price.input, price.cached_write ?? 0, price.cached_read ?? 0);
  return Math.ceil(nano(promptTokens, promptRate) + nano(maxOutputTokens, price.output) - 1e-6);
}

export function nanoToUsdString(value: number): string {
  // Nine decimals is exact for nano-USD; trailing zeros trimmed for readability.
  return (value / 1e9).toFixed(9).replace(/\.?0+$/, '') || '0';
}
