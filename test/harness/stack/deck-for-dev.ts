/**
 * Turns the production deck file into the local one: the relay and its service on local ports,
 * and every model whose provider key is missing from the environment answered by the mock.
 */
import { isProviderType, type WireFormat, wireFormatOf } from '../../../lib/providers';

export const MOCK_CREDENTIAL = 'DEV_MOCK_API_KEY';

interface DeckPlugin {
  name: string;
  config?: Record<string, unknown>;
}
interface DeckTarget {
  base_url: string;
  credential?: string | null;
  provider: string;
}

interface DeckModel {
  name: string;
  target?: DeckTarget | null;
  targets?: DeckTarget[] | null;
}

/** Where the mock serves each provider's wire format. */
export interface MockBaseUrls {
  openai: string;
  anthropic: string;
  gemini: string;
  azure: string;
}

/** The mock dialect of the provider's wire format (lib/providers.ts); OpenAI's for a wire format it has none for. */
function mockUrlFor(provider: string, urls: MockBaseUrls): string {
  const dialects: Partial<Record<WireFormat, string>> = urls;
  return (isProviderType(provider) ? dialects[wireFormatOf(provider)] : undefined) ?? urls.openai;
}

export interface DevDeckResult {
  deck: Record<string, unknown>;
  /** Public model name → 'mock' or the provider key variable it uses. */
  routing: Record<string, string>;
}

/** The configs of every `name` plugin in the deck (global, service, route and consumer ones), for tests to adjust. */
export function pluginConfigs(deck: Record<string, unknown>, name: string): Array<Record<string, unknown>> {
  return pluginsOf(deck)
    .filter((p) => p.name === name)
    .map((p) => (p.config ??= {}));
}

function pluginsOf(deck: Record<string, unknown>): DeckPlugin[] {
  const found: DeckPlugin[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.plugins)) found.push(...(record.plugins as DeckPlugin[]));
    for (const key of ['services', 'routes', 'consumers']) if (Array.isArray(record[key])) visit(record[key]);
  };
  visit(deck);
  return found;
}

/** Every plugin of the deck (global, service, route and consumer ones) replaced by `rewire`'s answer, or removed when it answers null. */
function rewirePlugins(deck: Record<string, unknown>, rewire: (p: DeckPlugin) => DeckPlugin | null): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.plugins)) record.plugins = (record.plugins as DeckPlugin[]).map(rewire).filter((p): p is DeckPlugin => p !== null);
    for (const key of ['services', 'routes', 'consumers']) if (Array.isArray(record[key])) visit(record[key]);
  };
  visit(deck);
}

/**
 * The inference-backed plugins for this stack: aigw-prompt-compressor (and aigw-guardrails'
 * embeddings) pointed at the inference sidecar, the compressor removed where none runs (without
 * it, it only fails open on every request); aigw-semantic-cache kept only where asked for (`cache`), exact-only without a sidecar. Test
 * suites that send the same prompt twice and expect two provider calls run without it.
 * aigw-prompt-template is kept only where asked for (`templates`): suites that pin the chain's PDK
 * calls run without it.
 */
function wireInferencePlugins(deck: Record<string, unknown>, inferenceAddress: string | undefined, cache: boolean, templates: boolean): void {
  const rewire = (p: DeckPlugin): DeckPlugin | null => {
    if (p.name === TEMPLATES) return templates ? p : null;
    if (p.name === COMPRESSOR) return inferenceAddress ? { ...p, config: { ...p.config, inference_address: inferenceAddress } } : null;
    // Guardrails' similarity and topics embed with this stack's sidecar (without one they fail open).
    if (p.name === 'aigw-guardrails' && inferenceAddress) return { ...p, config: { ...p.config, inference_address: inferenceAddress } };
    if (p.name !== CACHE) return p;
    if (!cache) return null;
    return { ...p, config: { ...p.config, ...(inferenceAddress ? { inference_address: inferenceAddress } : { semantic: false }) } };
  };
  rewirePlugins(deck, rewire);
}

/** aigw-guardrails kept only where asked for (`make dev`, which shows it): other suites send what it would redact or refuse. */
function wireGuardrails(deck: Record<string, unknown>, keep: boolean): void {
  if (keep) return;
  rewirePlugins(deck, (p) => (p.name === 'aigw-guardrails' ? null : p));
}

/**
 * aigw-router kept only where asked for (`make dev`, the router tests): suites that pin the chain's
 * PDK calls run without it. Without an inference sidecar its routers lose their semantic routes
 * and their embeddings (difficulty from the request's features alone) instead of failing open on
 * every request.
 */
function wireRouter(deck: Record<string, unknown>, keep: boolean, inferenceAddress: string | undefined): void {
  const rewire = (p: DeckPlugin): DeckPlugin | null => {
    if (p.name !== ROUTER) return p;
    if (!keep) return null;
    if (inferenceAddress) return { ...p, config: { ...p.config, inference_address: inferenceAddress } };
    const routers = ((p.config?.routers as Array<Record<string, unknown>> | undefined) ?? []).map(({ semantic: _semantic, ...router }) => router);
    const { inference_address: _address, ...config } = p.config ?? {};
    return { ...p, config: { ...config, routers } };
  };
  rewirePlugins(deck, rewire);
}

const ROUTER = 'aigw-router';
const COMPRESSOR = 'aigw-prompt-compressor';
const CACHE = 'aigw-semantic-cache';
const TEMPLATES = 'aigw-prompt-template';

export function deckForDev(
  source: Record<string, unknown>,
  sidecars: { relayUrl: string; controlUrl: string; inferenceAddress?: string; cache?: boolean; guardrails?: boolean; templates?: boolean; router?: boolean },
  mockBaseUrls: MockBaseUrls | null,
  env: Record<string, string | undefined>,
): DevDeckResult {
  const { relayUrl } = sidecars;
  const deck = structuredClone(source);
  const routing: Record<string, string> = {};
  wireInferencePlugins(deck, sidecars.inferenceAddress, sidecars.cache === true, sidecars.templates === true);
  wireGuardrails(deck, sidecars.guardrails === true);
  wireRouter(deck, sidecars.router === true, sidecars.inferenceAddress);
  for (const service of (deck.services as Array<Record<string, unknown>> | undefined) ?? []) {
    if (typeof service.url === 'string' && service.url.includes(':8787')) service.url = relayUrl;
    if (typeof service.url === 'string' && service.url.includes(':8788')) service.url = sidecars.controlUrl;
  }
  for (const plugin of pluginsOf(deck)) {
    if (plugin.name !== 'aigw-proxy' || !plugin.config) continue;
    plugin.config.relay_url = relayUrl;
    for (const model of (plugin.config.models as DeckModel[] | undefined) ?? []) {
      const targets = [...(model.target ? [model.target] : []), ...(model.targets ?? [])];
      const via: string[] = [];
      for (const target of targets) {
        const credential = target.credential ?? '';
        if (credential && env[credential]) {
          via.push(`${target.provider} (${credential})`);
        } else if (mockBaseUrls) {
          target.base_url = mockUrlFor(target.provider, mockBaseUrls);
          target.credential = MOCK_CREDENTIAL;
          via.push(`mock ${target.provider}`);
        }
      }
      routing[model.name] = via.every((v) => v.startsWith('mock')) ? 'mock' : via.join(' → ');
    }
  }
  return { deck, routing };
}
