/**
 * A route's guardrails, compiled once per plugin instance from its config: which detectors run,
 * each one's action, Kong's prompt-guard patterns, and the response policy the relay applies.
 */
import type { CountryCode } from 'libphonenumber-js';
import {
  type CompiledPromptGuard,
  compilePromptGuard,
  type Detector,
  type DetectorName,
  injectionDetector,
  PII_TYPES,
  piiDetector,
  secretsDetector,
} from '../../lib/guardrails';
import type { ResponseGuardPolicy } from '../../lib/guardrails/plan';
import type { GuardrailsConfig } from './config';

export type Action = 'monitor' | 'redact' | 'block';

export interface CompiledGuardrails {
  /** Each detector with its action; injection reads user text and tool results, never the system prompt. */
  detectors: Array<{ detector: Detector; action: Action }>;
  promptGuard: { guard: CompiledPromptGuard; action: Action } | null;
  response: ResponseGuardPolicy | null;
  /** Some detector refuses: a body the guard cannot read whole is refused too. */
  blocks: boolean;
}

export function compileGuardrails(config: GuardrailsConfig): CompiledGuardrails {
  const detectors: CompiledGuardrails['detectors'] = [];
  const country = (config.pii?.default_phone_country ?? undefined) as CountryCode | undefined;
  if (config.pii) detectors.push({ detector: piiDetector({ types: config.pii.types, defaultCountry: country }), action: config.pii.action });
  if (config.secrets) detectors.push({ detector: secretsDetector(config.secrets.high_entropy ? {} : { highEntropy: false }), action: config.secrets.action });
  if (config.injection) detectors.push({ detector: injectionDetector(), action: config.injection.action });
  const pg = config.prompt_guard;
  // Kong's schema rules (patterns, lengths, the linear engine) are checked here: a bad pattern fails the plugin's construction, never a request.
  const promptGuard = pg
    ? {
        guard: compilePromptGuard({
          allow_patterns: pg.allow_patterns ?? undefined,
          deny_patterns: pg.deny_patterns ?? undefined,
          allow_all_conversation_history: pg.allow_all_conversation_history,
          match_all_roles: pg.match_all_roles,
          max_request_body_size: pg.max_request_body_size,
        }),
        action: pg.action,
      }
    : null;
  const r = config.response;
  const response: ResponseGuardPolicy | null =
    r && (r.pii || r.secrets)
      ? {
          action: r.action,
          pii: r.pii ? { types: [...(config.pii?.types ?? PII_TYPES)], defaultCountry: config.pii?.default_phone_country ?? null } : null,
          secrets: r.secrets ? { highEntropy: config.secrets?.high_entropy ?? true } : null,
        }
      : null;
  const blocks =
    detectors.some((d) => d.action === 'block') ||
    promptGuard?.action === 'block' ||
    config.external?.action === 'block' ||
    (config.topics?.action === 'block' && Boolean(config.topics.deny?.length || config.topics.allow?.length));
  return { detectors, promptGuard, response, blocks };
}

/** Which detectors read which part of a request. */
export function readsPart(name: DetectorName, part: 'user' | 'tool' | 'system'): boolean {
  return !(name === 'injection' && part === 'system');
}
