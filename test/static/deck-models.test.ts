/**
 * The models deck/kong.yaml routes to, against the price catalogue and the providers' own
 * deprecation lists, so a stale catalogue or an end-of-life model fails here and not in
 * production:
 *  - every target of every model group, and every target reached through fallback_models, has a
 *    price (catalogue entry or `pricing` override), computed by aigw-proxy's own config code;
 *  - none of them is deprecated: not in @anthropic-ai/sdk's DEPRECATED_MODELS table (read from
 *    the installed SDK, which warns on every call to such a model), not in the catalogue's
 *    `deprecated` table (the providers' deprecation pages, sourced there);
 *  - the catalogue's `deprecated` table covers the SDK's, so upgrading the SDK shows what to move.
 */

import { Registry } from 'prom-client';
import { CATALOGUE_VERSION, catalogDeprecation, catalogueAgeDays } from '../../lib/pricing';
import { CATALOGUE_AGE_METRIC, registerCatalogueAge } from '../../lib/pricing/catalogue-age';
import { type AiProxyConfig, compileModels, planTargets } from '../../plugins/aigw-proxy/config';
import { deckPlugins, parseYaml, readRepoFile } from './static-helpers';

/** aigw-proxy's config in deck/kong.yaml (one instance). */
function proxyConfig(): AiProxyConfig {
  const proxies = deckPlugins(parseYaml(readRepoFile('deck', 'kong.yaml'))).filter((p) => p.name === 'aigw-proxy');
  expect(proxies).toHaveLength(1);
  return proxies[0].config as AiProxyConfig;
}

/** Every (public name, provider model, price) the gateway can route to, fallbacks included. */
function routedTargets() {
  const compiled = compileModels(proxyConfig());
  return compiled.names.flatMap((name) =>
    planTargets(compiled, name, () => 0).map((t) => ({ name, provider: t.provider, model: t.model, pricing: t.pricing })),
  );
}

/**
 * The SDK's table of deprecated models and their end-of-life dates. It is not exported, so it is
 * read from the file; a missing table fails the test rather than passing it silently.
 */
function anthropicSdkDeprecated(): Map<string, string> {
  const source = readRepoFile('node_modules', '@anthropic-ai', 'sdk', 'resources', 'messages', 'messages.js');
  const table = /const DEPRECATED_MODELS = \{([^}]*)\}/.exec(source);
  if (!table) throw new Error('DEPRECATED_MODELS not found in @anthropic-ai/sdk: the SDK changed; update this reader');
  return new Map([...table[1].matchAll(/['"]([^'"]+)['"]\s*:\s*['"]([^'"]+)['"]/g)].map((m) => [m[1], m[2]]));
}

describe('models routed by deck/kong.yaml', () => {
  const targets = routedTargets();

  it('finds the targets, Anthropic ones among them (so the checks below check something)', () => {
    expect(targets.map((t) => t.provider)).toContain('anthropic');
  });

  it('has a price for every target, fallbacks included (catalogue or pricing override)', () => {
    const unpriced = targets.filter((t) => t.pricing === null).map((t) => `${t.name} → ${t.provider}/${t.model}`);
    expect(unpriced).toEqual([]);
  });

  it("routes to no model in the Anthropic SDK's DEPRECATED_MODELS", () => {
    const deprecated = anthropicSdkDeprecated();
    expect(deprecated.size).toBeGreaterThan(0);
    const hits = targets.filter((t) => deprecated.has(t.model)).map((t) => `${t.name} → ${t.model} (end of life ${deprecated.get(t.model)})`);
    expect(hits).toEqual([]);
  });

  it("routes to no model the catalogue lists as deprecated (providers' deprecation pages)", () => {
    const hits = targets.flatMap((t) => {
      const d = catalogDeprecation(t.model);
      return d ? [`${t.name} → ${t.model} (end of life ${d.end_of_life}; use ${d.replacement ?? '?'}; ${d.source})`] : [];
    });
    expect(hits).toEqual([]);
  });
});

describe('price catalogue', () => {
  it("lists every model the Anthropic SDK deprecates as deprecated, so its lifecycle data is not behind the SDK's", () => {
    const missing = [...anthropicSdkDeprecated().keys()].filter((model) => catalogDeprecation(model) === null);
    expect(missing).toEqual([]);
  });

  it('has a version that is a real date, not in the future', () => {
    expect(CATALOGUE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(new Date(`${CATALOGUE_VERSION}T00:00:00Z`).toISOString().slice(0, 10)).toBe(CATALOGUE_VERSION);
    expect(catalogueAgeDays()).toBeGreaterThanOrEqual(0);
  });

  it(`shows its age as the ${CATALOGUE_AGE_METRIC} gauge, labelled with the version`, async () => {
    const registry = new Registry();
    const tenDaysLater = new Date(Date.parse(`${CATALOGUE_VERSION}T12:00:00Z`) + 10 * 86_400_000);
    registerCatalogueAge(registry, () => tenDaysLater);
    const text = await registry.metrics();
    expect(text).toContain(`# TYPE ${CATALOGUE_AGE_METRIC} gauge`);
    expect(text).toContain(`${CATALOGUE_AGE_METRIC}{version="${CATALOGUE_VERSION}"} 10`);
  });
});
