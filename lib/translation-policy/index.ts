/**
 * No silent loss in translation. Where a request must be translated (the client's format is not
 * its target's), every feature of it is translated, dropped and counted, or refused with a 400
 * naming it, as its rule says (anthropic-rules.ts, openai-rules.ts, responses-rules.ts,
 * google-rules.ts); a feature without a rule is refused there, never lost. aigw-proxy (before the
 * budget is reserved) and the relay (before any
 * translation) ask planRefusal the same question about the same plan, so they refuse the same
 * requests; the relay counts, per target, what droppedFeatures names. Pure, linear, data-driven.
 */
import { type ClientFormatName, type GatewayError, gatewayError } from '../errors';
import type { Endpoint } from '../plan';
import { type ProviderType, speaksResponses, wireFormatOf } from '../providers';
import { anthropicLocation, openAIParam } from '../validate/wording';
import { anthropicFeatures } from './anthropic-features';
import { ANTHROPIC_RULES } from './anthropic-rules';
import type { Feature } from './feature';
import { googleFeatures } from './google-features';
import { GOOGLE_RULES } from './google-rules';
import { openAIFeatures } from './openai-features';
import { OPENAI_RULES } from './openai-rules';
import { responsesFeatures } from './responses-features';
import { RESPONSES_RULES } from './responses-rules';
import { FAMILY_NAMES, type Family, isInert, type Policy, type Rule } from './rules';

export { ANTHROPIC_RULES, type AnthropicFeature } from './anthropic-rules';
export { GOOGLE_RULES, type GoogleFeature } from './google-rules';
export { OPENAI_RULES, type OpenAIFeature } from './openai-rules';
export { RESPONSES_RULES, type ResponsesFeature } from './responses-rules';
export { FAMILIES, type Family, type Policy, type Rule } from './rules';

interface FormatPolicy {
  rules: Readonly<Record<string, Rule>>;
  /** The families that speak this format: a feature without a rule passes to them as sent. */
  native: readonly Family[];
  features(body: Record<string, unknown>): Feature[];
  /** Providers that serve this format themselves, whatever their family: they get the request as sent. */
  speaks?: (provider: ProviderType) => boolean;
}

/**
 * The format a policy judges: a client format, or Responses, whose errors are OpenAI's (its
 * ClientFormatName is 'openai') but whose request is not chat's.
 */
export type PolicyFormat = ClientFormatName | 'responses';

/** The format of each endpoint's request body (a Record: a new endpoint cannot be left out). */
const POLICY_FORMAT_OF: Readonly<Record<Endpoint, PolicyFormat>> = {
  'chat.completions': 'openai',
  embeddings: 'openai',
  messages: 'anthropic',
  'messages.count_tokens': 'anthropic',
  responses: 'responses',
  'responses.input_tokens': 'responses',
  generateContent: 'google',
};

export function policyFormatOf(endpoint: Endpoint): PolicyFormat {
  return POLICY_FORMAT_OF[endpoint];
}

const FORMATS: Record<PolicyFormat, FormatPolicy> = {
  openai: { rules: OPENAI_RULES, native: ['openai', 'azure'], features: openAIFeatures },
  anthropic: { rules: ANTHROPIC_RULES, native: ['anthropic'], features: anthropicFeatures },
  google: { rules: GOOGLE_RULES, native: ['gemini'], features: googleFeatures },
  // No family speaks it whole: OpenAI's own API does (the pass-through); the rest of its family gets chat.
  responses: { rules: RESPONSES_RULES, native: [], features: responsesFeatures, speaks: speaksResponses },
};

/** The rule for a feature id; a client's key never reaches an inherited property. */
function ruleOf(format: PolicyFormat, id: string): Rule | undefined {
  const { rules } = FORMATS[format];
  return Object.hasOwn(rules, id) ? rules[id] : undefined;
}

/** What happens to one feature on one family (an inert value asks for nothing: it passes). */
function policyOf(format: PolicyFormat, feature: Feature, family: Family): Policy {
  const rule = ruleOf(format, feature.id);
  if (!rule) return FORMATS[format].native.includes(family) ? 'passed' : 'refused';
  return isInert(rule, feature.value) ? 'passed' : rule.to[family];
}

/** The features a target of this family will not get, by rule id: each counted once. */
export function droppedFeatures(format: PolicyFormat, body: Record<string, unknown>, family: Family): string[] {
  const dropped = new Set<string>();
  for (const feature of FORMATS[format].features(body)) if (policyOf(format, feature, family) === 'dropped') dropped.add(feature.id);
  return [...dropped];
}

/**
 * The endpoints this policy judges: chat, messages, Responses and generateContent. Embeddings are
 * not translated, and a token count sends no answer-shaping fields.
 */
export function judgedByPolicy(endpoint: Endpoint): boolean {
  return endpoint === 'chat.completions' || endpoint === 'messages' || endpoint === 'responses' || endpoint === 'generateContent';
}

/** The first feature the plan's targets cannot take, as the 400 the client gets; null when every target can. */
export function planRefusal(format: PolicyFormat, body: Record<string, unknown>, targets: ReadonlyArray<{ provider: ProviderType }>): GatewayError | null {
  const { speaks } = FORMATS[format];
  const translatedFor = speaks ? targets.filter((t) => !speaks(t.provider)) : targets;
  const families = [...new Set(translatedFor.map((t) => wireFormatOf(t.provider)))];
  const features = FORMATS[format].features(body);
  for (const family of families) {
    const refused = features.find((feature) => policyOf(format, feature, family) === 'refused');
    if (refused) return refusal(format, refused, family);
  }
  return null;
}

/** Named as the client's API names fields, in its error shape's words. */
function refusal(format: PolicyFormat, feature: Feature, family: Family): GatewayError {
  const rule = ruleOf(format, feature.id);
  const models = `${FAMILY_NAMES[family]} models`;
  const why = rule
    ? `cannot be sent to ${models} through the gateway (${rule.note})`
    : `is unknown to the gateway, which translates this request for ${models} and refuses what it cannot translate rather than drop it`;
  if (format === 'anthropic') {
    const location = anthropicLocation(feature.path);
    return gatewayError(400, `${location}: ${feature.subject ?? 'this field'} ${why}`, null, location);
  }
  const param = openAIParam(feature.path);
  // Google's words for a field it will not take (`* GenerateContentRequest.tools[0].googleSearch: ...`).
  if (format === 'google')
    return gatewayError(
      400,
      `* GenerateContentRequest.${param}: ${feature.subject ?? 'this field'} ${why}.`,
      rule ? 'unsupported_for_provider' : 'unknown_parameter',
      param,
    );
  return gatewayError(400, `${feature.subject ?? `'${param}'`} ${why}.`, rule ? 'unsupported_for_provider' : 'unknown_parameter', param);
}
