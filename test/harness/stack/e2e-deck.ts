/**
 * The deck an end-to-end run against a running gateway syncs into Kong: deck/kong.yaml with every
 * model answered by the mock (deckForDev), plus the changes the end-to-end tests make to their
 * local deck, all at once, since a remote gateway runs one deck for the whole suite.
 *
 *   npx tsx test/harness/stack/e2e-deck.ts [--mock-url http://mock:9001] > kong.yaml
 *
 * A test passes one of the changes below as its stack's source or deck transform; against a
 * remote gateway the stack accepts only these (isInE2eDeck), so a test that needs another
 * change fails loudly there instead of running against a deck without it.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadDeckFile } from '../kong-double';
import { type DevDeckResult, deckForDev, type MockBaseUrls, pluginConfigs } from './deck-for-dev';
import { REPO_ROOT } from './sidecar-process';

export type DeckTransform = (deck: Record<string, unknown>) => Record<string, unknown>;

/** Where the mock is seen from Kong's network namespace in test/docker/compose.e2e.yml. */
export const MOCK_URL_IN_STACK = 'http://mock:9001';

const inE2eDeck = new WeakSet<DeckTransform>();

function builtIn(transform: DeckTransform): DeckTransform {
  inE2eDeck.add(transform);
  return transform;
}

/** Whether the end-to-end deck already has this change (one of the transforms below). */
export function isInE2eDeck(transform: DeckTransform): boolean {
  return inE2eDeck.has(transform);
}

/** The mock's base URL for each wire format, as startMockProviders serves them on one port. */
export function mockBaseUrls(url: string): MockBaseUrls {
  return { openai: `${url}/v1`, anthropic: url, gemini: url, azure: url };
}

/** A model only the end-to-end deck has: a gateway that serves it runs that deck. */
export const E2E_ONLY_MODEL = 'gpt-4o-azure';

/**
 * Azure deployments, added to the source deck: keyless, so the dev rewrite points them at the
 * mock's Azure dialect (provider kept); `model` is the deployment name (priced as gpt-4o).
 */
export const withAzureDeployments = builtIn((deck) => {
  const out = structuredClone(deck);
  const services = out.services as Array<{ plugins?: Array<{ name: string; config?: { models?: unknown[] } }> }>;
  const proxy = services.flatMap((s) => s.plugins ?? []).find((p) => p.name === 'aigw-proxy');
  const azure = (model: string) => ({ provider: 'azure', base_url: 'https://example-resource.openai.azure.com', model, credential: 'AZURE_OPENAI_API_KEY' });
  proxy?.config?.models?.push(
    { name: E2E_ONLY_MODEL, target: azure('gpt-4o-prod') },
    { name: 'text-embedding-3-small-azure', target: azure('text-embedding-3-small') },
  );
  return out;
});

/** The shortest parallel-request lease the schema allows, so a test can outlive one. */
export const SHORT_LEASE_SECONDS = 10;

export const withShortParallelLeases = builtIn((deck) => {
  for (const config of pluginConfigs(deck, 'aigw-virtual-key')) config.parallel_lease_seconds = SHORT_LEASE_SECONDS;
  return deck;
});

/** Requests with this Host reach the twin of the LLM service whose relay is dead. */
export const DEAD_RELAY_HOST = 'dead-relay.test.local';

/** A port nothing listens on in Kong's network namespace of the compose stack (tcpmux). */
const DEAD_RELAY_PORT_IN_STACK = 1;

/** A twin of the LLM service whose aigw-proxy sends plans to a port nothing listens on. */
export function withDeadRelayTwin(deadPort: number): DeckTransform {
  return builtIn((deck) => {
    const services = deck.services as Array<Record<string, unknown>>;
    const twin = structuredClone(services.find((s) => s.name === 'ai-relay')!);
    twin.name = 'ai-relay-dead';
    twin.routes = (twin.routes as Array<Record<string, unknown>>).map((r) => ({ ...r, name: `${r.name as string}-dead`, hosts: [DEAD_RELAY_HOST] }));
    twin.plugins = (twin.plugins as Array<{ name: string; config: Record<string, unknown> }>).map((p) =>
      p.name === 'aigw-proxy' ? { ...p, config: { ...p.config, relay_url: `http://127.0.0.1:${deadPort}` } } : p,
    );
    return { ...deck, services: [...services, twin] };
  });
}

function serviceUrl(deck: Record<string, unknown>, name: string): string {
  const service = (deck.services as Array<{ name: string; url: string }>).find((s) => s.name === name);
  if (!service) throw new Error(`the source deck has no service '${name}'`);
  return service.url;
}

/**
 * The source deck with every model on the mock at `mockUrl` and every change above. The relay
 * and the control API stay where the source deck has them: in the stack they share Kong's
 * network namespace.
 */
export function e2eDeck(source: Record<string, unknown>, mockUrl = MOCK_URL_IN_STACK): DevDeckResult {
  const sidecars = { relayUrl: serviceUrl(source, 'ai-relay'), controlUrl: serviceUrl(source, 'aigw-control') };
  // No provider keys: every target goes to the mock.
  const { deck, routing } = deckForDev(withAzureDeployments(source), sidecars, mockBaseUrls(mockUrl), {});
  return { deck: changesAfterRewrite(DEAD_RELAY_PORT_IN_STACK)(deck), routing };
}

/** The changes e2eDeck makes after the dev rewrite (withAzureDeployments comes before it). */
export function changesAfterRewrite(deadRelayPort: number): DeckTransform {
  return (deck) => withDeadRelayTwin(deadRelayPort)(withShortParallelLeases(deck));
}

export function loadSourceDeck(): Record<string, unknown> {
  return loadDeckFile(join(REPO_ROOT, 'deck', 'kong.yaml')) as Record<string, unknown>;
}

function main(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { 'mock-url': { type: 'string', default: MOCK_URL_IN_STACK } }, strict: true });
  const { deck } = e2eDeck(loadSourceDeck(), values['mock-url']);
  process.stdout.write(`# Generated by test/harness/stack/e2e-deck.ts from deck/kong.yaml: do not edit.\n${stringify(deck)}`);
}

if (require.main === module) main(process.argv.slice(2));
