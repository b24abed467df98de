/**
 * What aigw-guardrails hands the relay for one request, through the identity (aigw-proxy signs it
 * into the plan): the placeholder map to restore the answer with, and the detectors the answer
 * itself goes through. The map holds the request's redacted values: it lives in the signed plan
 * header of this request only, is bounded here, and is never stored or logged.
 */
import type { CountryCode } from 'libphonenumber-js';
import { restoreActionEntries } from './actions';
import { PII_TYPES, type PiiType, piiDetector } from './pii';
import { MAX_PLACEHOLDER_LENGTH } from './redact';
import { secretsDetector } from './secrets';
import type { Detector } from './types';

/** At most this many placeholders and this many characters of original values travel: past either, the answer is not restored. */
export const MAX_RESTORATIONS = 64;
export const MAX_RESTORATION_CHARS = 4096;

export type ResponseAction = 'monitor' | 'redact' | 'block';

/** The response detectors of a route, in the plan (plain data: it is signed and sent as JSON). */
export interface ResponseGuardPolicy {
  action: ResponseAction;
  /** PII types to look for in the answer; null = none. */
  pii: { types: PiiType[]; defaultCountry: string | null } | null;
  /** Secrets; null = none. */
  secrets: { highEntropy: boolean } | null;
}

export interface GuardrailPlan {
  /** [placeholder, original value] pairs the relay puts back into the answer. */
  restore?: Array<[string, string]>;
  response?: ResponseGuardPolicy;
  /** What the request's detectors did (`pii:redact`, lib/guardrails/actions.ts), for the ledger and the request log. */
  actions?: string[];
}

/** The map to send, or null when it is larger than the plan may carry (the answer then keeps its placeholders). */
export function boundedRestorations(map: ReadonlyMap<string, string>): Array<[string, string]> | null {
  if (map.size > MAX_RESTORATIONS) return null;
  let chars = 0;
  for (const value of map.values()) chars += value.length;
  return chars > MAX_RESTORATION_CHARS ? null : [...map];
}

const ACTIONS: ReadonlySet<unknown> = new Set(['monitor', 'redact', 'block']);
const PII_TYPE_SET: ReadonlySet<unknown> = new Set(PII_TYPES);

/** A guardrail plan read back from kong.ctx.shared or a plan: only well-formed, bounded values count. */
export function restoreGuardrailPlan(value: unknown): GuardrailPlan | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<GuardrailPlan>;
  const out: GuardrailPlan = {};
  if (Array.isArray(v.restore)) {
    const pairs = v.restore.filter(
      (p): p is [string, string] =>
        Array.isArray(p) &&
        typeof p[0] === 'string' &&
        typeof p[1] === 'string' &&
        p[0].length <= MAX_PLACEHOLDER_LENGTH &&
        p[1].length <= MAX_RESTORATION_CHARS,
    );
    const bounded = boundedRestorations(new Map(pairs));
    if (bounded && bounded.length > 0) out.restore = bounded;
  }
  const r = v.response as Partial<ResponseGuardPolicy> | undefined;
  if (r && typeof r === 'object' && ACTIONS.has(r.action) && (r.pii || r.secrets)) {
    const pii = r.pii && Array.isArray(r.pii.types) ? r.pii : null;
    out.response = {
      action: r.action as ResponseAction,
      pii: pii
        ? {
            types: pii.types.filter((t): t is PiiType => PII_TYPE_SET.has(t)),
            defaultCountry: typeof pii.defaultCountry === 'string' && /^[A-Z]{2}$/.test(pii.defaultCountry) ? pii.defaultCountry : null,
          }
        : null,
      secrets: r.secrets ? { highEntropy: r.secrets.highEntropy !== false } : null,
    };
  }
  const actions = restoreActionEntries(v.actions);
  if (actions.length > 0) out.actions = actions;
  return out.restore || out.response || out.actions ? out : undefined;
}

/** The detectors a response policy names. */
export function responseDetectors(policy: ResponseGuardPolicy): Detector[] {
  const detectors: Detector[] = [];
  if (policy.pii && policy.pii.types.length > 0) {
    detectors.push(piiDetector({ types: policy.pii.types, defaultCountry: (policy.pii.defaultCountry ?? undefined) as CountryCode | undefined }));
  }
  if (policy.secrets) detectors.push(secretsDetector(policy.secrets.highEntropy ? {} : { highEntropy: false }));
  return detectors;
}
