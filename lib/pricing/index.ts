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
  /** Prompt tokens written to the provider's cache (Anthropic's 5-minute writes); defaults to the input price. */
  cached_write?: number | null;
  /** Prompt tokens written to the cache for an hour (Anthropic: 2× input, against 1.25× for 5 minutes); defaults to cached_write. */
  cached_write_1h?: number | null;
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
  /** Of cacheWriteTokens, those written with a 1-hour TTL (priced at cached_write_1h). */
  cacheWrite1hTokens?: number;
}

/** A model its provider has announced the end of: priced still, but no deployment should name it. */
export interface Deprecation {
  /** YYYY-MM-DD: the provider's announced (or latest reported) shutdown date. */
  end_of_life: string;
  replacement?: string;
  source: string;
}

/** The date the catalogue's list prices were read (YYYY-MM-DD). */
export const CATALOGUE_VERSION: string = catalogue.version;
const MODELS = catalogue.models as Record<string, ModelPrice>;
const DEPRECATED = catalogue.deprecated as Record<string, Deprecation>;

/** Looks a provider model up in a table: exact name, else a dated/suffixed variant of a listed one. */
function lookupIn<T>(table: Record<string, T>): (providerModel: string) => T | null {
  // Longest names first, so "gpt-4o-mini-2024-07-18" matches gpt-4o-mini before gpt-4o.
  const names = Object.keys(table).sort((a, b) => b.length - a.length);
  return (providerModel) => {
    if (Object.hasOwn(table, providerModel)) return table[providerModel];
    const base = names.find((name) => providerModel.startsWith(`${name}-`) || providerModel.startsWith(`${name}@`));
    return base === undefined ? null : table[base];
  };
}

/** The catalogue price of a provider model: exact name, else a dated/suffixed variant of a listed one. */
export const catalogPrice: (providerModel: string) => ModelPrice | null = lookupIn(MODELS);

/** The catalogue's deprecation of a provider model (or of the model it is a dated variant of), if any. */
export const catalogDeprecation: (providerModel: string) => Deprecation | null = lookupIn(DEPRECATED);

/** Whole days from the catalogue's version date to `now`: how old its list prices may be. */
export function catalogueAgeDays(now: Date = new Date()): number {
  return Math.floor((now.getTime() - Date.parse(`${CATALOGUE_VERSION}T00:00:00Z`)) / 86_400_000);
}

/** $/M tokens → nano-USD per token is a factor of 1000. */
const NANO_PER_TOKEN_PER_USD_PER_MTOK = 1000;

function nano(tokens: number, usdPerMTok: number): number {
  return tokens * usdPerMTok * NANO_PER_TOKEN_PER_USD_PER_MTOK;
}

export function costNano(usage: BilledUsage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
  const cacheWrite1h = Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const plainPrompt = usage.promptTokens - cached - cacheWrite;
  const writeRate = price.cached_write ?? price.input;
  const total =
    nano(plainPrompt, price.input) +
    nano(cached, price.cached_read ?? price.input) +
    nano(cacheWrite - cacheWrite1h, writeRate) +
    nano(cacheWrite1h, price.cached_write_1h ?? writeRate) +
    nano(usage.completionTokens, price.output);
  // Float products like 0.075 * 1000 are not exact: round a hair down before rounding up.
  return Math.ceil(total - 1e-6);
}

/**
 * What prompt tokens a request did not send would have cost at the input rate: the dollars
 * compression saved, rounded down (a saving is never claimed above what it was).
 */
export function inputSavingsNano(tokens: number, price: ModelPrice): number {
  return Math.max(0, Math.floor(nano(tokens, price.input) + 1e-6));
}

/**
 * The most a request can cost: every prompt token at the dearest prompt rate and the full output
 * allowance. This is what a budget reserves before the call.
 */
export function worstCaseNano(promptTokens: number, maxOutputTokens: number, price: ModelPrice): number {
  const promptRate = Math.max(price.input, price.cached_write ?? 0, price.cached_write_1h ?? 0, price.cached_read ?? 0);
  return Math.ceil(nano(promptTokens, promptRate) + nano(maxOutputTokens, price.output) - 1e-6);
}
