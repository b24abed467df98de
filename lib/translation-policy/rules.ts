/**
 * What a rule of the translation policy says: for one request feature (a top-level field, a part
 * of one, a content block type, a block attribute), what happens to it on each target family
 * when the request must be translated. Data only: the plugin imports it without adapter code.
 */
import type { WireFormat } from '../providers';

/** A target family is a wire format: every provider on one gets the same translation. */
export type Family = WireFormat;

/** How refusals name each family (a Record: a new wire format cannot be left out). */
export const FAMILY_NAMES: Readonly<Record<Family, string>> = { openai: 'OpenAI-format', azure: 'Azure OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' };

export const FAMILIES = Object.keys(FAMILY_NAMES) as readonly Family[];

export type Policy =
  /** It reaches the target, in the target's own terms. */
  | 'translated'
  /** Left out, and counted: aigw_relay_dropped_features_total{provider,feature} and the debug log. */
  | 'dropped'
  /** A 400 naming it, in the client's error shape, before a token is spent. */
  | 'refused'
  /** The target speaks the client's format: it gets the feature as sent and judges it itself. */
  | 'passed';

export interface Rule {
  readonly to: Readonly<Record<Family, Policy>>;
  /** Why, in a few words: what it becomes, or why it cannot be expressed (refusals quote it). */
  readonly note: string;
  /** Values that ask for nothing (`logprobs: false`): sent with one of these, the feature is absent. */
  readonly inert?: readonly Inert[];
}

export type Inert = string | number | boolean | readonly string[];

export const T = 'translated';
export const D = 'dropped';
export const R = 'refused';
export const P = 'passed';

/** The same policy on every family. */
export function everywhere(policy: Policy, note: string): Rule {
  return { to: { openai: policy, azure: policy, anthropic: policy, gemini: policy }, note };
}

/** `value` asks for nothing: it equals one of the rule's inert values (flat arrays compared item by item). */
export function isInert(rule: Rule, value: unknown): boolean {
  return (rule.inert ?? []).some((inert) =>
    Array.isArray(inert) ? Array.isArray(value) && value.length === inert.length && inert.every((item, i) => value[i] === item) : value === inert,
  );
}

/** The same rules with one family getting every feature as sent: it speaks the client's format (native pass-through). */
export function passedOn<Id extends string>(family: Family, rules: Readonly<Record<Id, Rule>>): Readonly<Record<Id, Rule>> {
  return Object.fromEntries(Object.entries<Rule>(rules).map(([id, rule]) => [id, { ...rule, to: { ...rule.to, [family]: P } }])) as Record<Id, Rule>;
}
