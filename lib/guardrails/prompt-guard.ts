/**
 * Allow/deny patterns with the configuration and semantics of Kong's `ai-prompt-guard` (read from
 * kong/plugins/ai-prompt-guard/{schema.lua,filters/guard-prompt.lua}, Kong 3.9+):
 * - the prompts checked are the `user` messages (every role with `match_all_roles`), latest first,
 *   joined by one space; with `allow_all_conversation_history` only the latest such message;
 *   a `prompt` string (completions) is checked as is;
 * - deny first: any deny pattern found anywhere in the prompts refuses the request; then, if there
 *   are allow patterns, at least one must be found, else the request is refused;
 * - a body over `max_request_body_size` is not introspected: Kong cannot read it (a body nginx spilled
 *   to disk beyond that size; with the default 8 KiB body buffer, any larger body) and answers 400.
 * Kong runs the patterns with PCRE; here they run on V8's linear-time engine (linear-regex.ts).
 * One deliberate difference: Kong refuses messages whose content is not a string; the gateway
 * passes content parts' text (joined by spaces) in `text`, so multimodal requests are checked, not refused.
 */
import { compileLinearPattern, PatternError } from './linear-regex';

export interface PromptGuardConfig {
  allow_patterns?: string[];
  deny_patterns?: string[];
  allow_all_conversation_history?: boolean;
  match_all_roles?: boolean;
  max_request_body_size?: number;
}

/** Kong's schema limits and defaults. */
export const PROMPT_GUARD_LIMITS = { maxPatterns: 10, maxPatternLength: 500, defaultMaxBodySize: 8 * 1024 } as const;

export interface CompiledPromptGuard {
  allow: RegExp[];
  deny: RegExp[];
  latestOnly: boolean;
  allRoles: boolean;
  maxBodySize: number;
}

/** What the guard reads: the request's messages in order (role and text), or a completions prompt. */
export type PromptGuardInput = { messages: ReadonlyArray<{ role: string; text: string }> } | { prompt: string };

export type PromptGuardVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'denied'; pattern: number }
  | { allowed: false; reason: 'not_allowed' | 'too_large' };

function compileList(name: string, patterns: string[] | undefined): RegExp[] {
  const list = patterns ?? [];
  if (list.length > PROMPT_GUARD_LIMITS.maxPatterns) throw new PatternError(`${name}: at most ${PROMPT_GUARD_LIMITS.maxPatterns} patterns`);
  return list.map((pattern, index) => {
    if (pattern.length < 1 || pattern.length > PROMPT_GUARD_LIMITS.maxPatternLength) {
      throw new PatternError(`${name}[${index}]: length must be 1 to ${PROMPT_GUARD_LIMITS.maxPatternLength}`);
    }
    try {
      return compileLinearPattern(pattern);
    } catch (error) {
      throw new PatternError(`${name}[${index}]: ${(error as Error).message}`);
    }
  });
}

/** Validates as Kong's schema does and compiles every pattern; throws PatternError naming the field. */
export function compilePromptGuard(config: PromptGuardConfig): CompiledPromptGuard {
  if (!config.allow_patterns?.length && !config.deny_patterns?.length) throw new PatternError('at least one of allow_patterns, deny_patterns is required');
  if (config.match_all_roles && config.allow_all_conversation_history) {
    throw new PatternError('match_all_roles requires allow_all_conversation_history to be false');
  }
  const maxBodySize = config.max_request_body_size ?? PROMPT_GUARD_LIMITS.defaultMaxBodySize;
  if (!Number.isInteger(maxBodySize) || maxBodySize <= 0) throw new PatternError('max_request_body_size must be a positive integer');
  return {
    allow: compileList('allow_patterns', config.allow_patterns),
    deny: compileList('deny_patterns', config.deny_patterns),
    latestOnly: config.allow_all_conversation_history ?? false,
    allRoles: config.match_all_roles ?? false,
    maxBodySize,
  };
}

/** The text Kong checks: matching messages latest first, each followed by a space (none after the only one with `latestOnly`). */
export function collectPrompts(guard: CompiledPromptGuard, input: PromptGuardInput): string {
  if ('prompt' in input) return input.prompt;
  const parts: string[] = [];
  for (let i = input.messages.length - 1; i >= 0; i--) {
    const message = input.messages[i]!;
    if (message.role !== 'user' && !guard.allRoles) continue;
    if (guard.latestOnly) return message.text;
    parts.push(message.text, ' ');
  }
  return parts.join('');
}

export function evaluatePromptGuard(guard: CompiledPromptGuard, input: PromptGuardInput, bodyBytes: number): PromptGuardVerdict {
  if (bodyBytes > guard.maxBodySize) return { allowed: false, reason: 'too_large' };
  const prompts = collectPrompts(guard, input);
  const denied = guard.deny.findIndex((pattern) => pattern.test(prompts));
  if (denied >= 0) return { allowed: false, reason: 'denied', pattern: denied };
  if (guard.allow.length === 0 || guard.allow.some((pattern) => pattern.test(prompts))) return { allowed: true };
  return { allowed: false, reason: 'not_allowed' };
}
