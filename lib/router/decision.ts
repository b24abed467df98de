/**
 * What aigw-router decided for a request that named a router (a public model name such as
 * `auto`): written into the identity (kong.ctx.shared) for aigw-proxy, which plans the chosen
 * model group, and carried in the signed plan so the relay can explain it (the `x-aigw-route`
 * header, metrics, the ledger) and run a cascade.
 */

/** A check a cascade's first answer must pass before it is accepted (else the request escalates). */
export type CascadeCheck =
  /** The answer's text parses as JSON (the request asked for JSON output). */
  | { kind: 'json' }
  /** The answer's text is JSON valid against the request's own response schema. */
  | { kind: 'json_schema' }
  /** The answer is not a refusal (refusal field, refusal phrasing, or a content-filter stop). */
  | { kind: 'no_refusal' }
  /** A judge model (a configured model group) rates the answer; accepted at or above min_score (1–10). */
  | { kind: 'judge'; model: string; min_score: number };

export interface RouteDecision {
  /** The router's public name the client sent (`auto`). */
  router: string;
  /** The configured model group chosen (an aigw-proxy model name). */
  model: string;
  /** The part of the policy that chose: a rule's name, a semantic route's name, `strong`, `weak`, `cascade`, `default`. */
  route: string;
  /** Why, briefly and without prompt text: `rule:has_tools`, `semantic:0.83`, `difficulty:0.61>=0.55`, `fallback:embedder_unavailable`. */
  reason: string;
  /** Cascade (non-streamed only): answer with `model` first; escalate to `escalate_to` when a check fails. */
  cascade?: { escalate_to: string; checks: CascadeCheck[] };
}

export const ROUTE_HEADER = 'x-aigw-route';

/** `router=auto; model=gpt-4o-mini; route=weak; reason=difficulty:0.21<0.55` (the response header's value). */
export function routeHeaderValue(decision: RouteDecision): string {
  return `router=${decision.router}; model=${decision.model}; route=${decision.route}; reason=${decision.reason}`;
}
