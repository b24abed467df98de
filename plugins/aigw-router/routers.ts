/**
 * The routers of one plugin instance, compiled once: Kong's config (unset optional fields null)
 * turned into lib/router's RouterDefinition, checked by validateRouterDefinition and compiled (the
 * semantic utterances and difficulty anchors start embedding in the background). An invalid
 * router, or a second one of the same name, is left out with a log line: the rest still route,
 * and a request naming it gets aigw-proxy's answer for an unknown model.
 */
import type { EmbedTexts } from '../../lib/guardrails/similarity';
import { createLogger } from '../../lib/log';
import { type CompiledRouter, compileRouter, type RouterDefinition, validateRouterDefinition } from '../../lib/router/config';
import type { RouterConfigEntry } from './config';
import { PLUGIN } from './metrics';

/** A copy without the nulls Kong delivers for unset fields (lib/router reads an absent field as unset). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

export function routerDefinitionOf(entry: RouterConfigEntry): unknown {
  return withoutNulls(entry);
}

export function compileRouters(entries: readonly RouterConfigEntry[], embed: EmbedTexts | null): Map<string, CompiledRouter> {
  const log = createLogger(PLUGIN);
  const routers = new Map<string, CompiledRouter>();
  for (const entry of entries) {
    const definition = routerDefinitionOf(entry);
    const errors = validateRouterDefinition(definition);
    // Without embeddings every request would fail open: a configuration mistake, said at once.
    if (entry.semantic && !embed) errors.push('semantic: semantic routes need inference_address (the inference sidecar)');
    if (routers.has(entry.name)) errors.push(`name: another router is already called ${entry.name}`);
    if (errors.length > 0) {
      log.error('router left out: its definition is invalid', { router: entry.name, errors });
      continue;
    }
    routers.set(entry.name, compileRouter(definition as RouterDefinition, embed ?? undefined));
  }
  return routers;
}
