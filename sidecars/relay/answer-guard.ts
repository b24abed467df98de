/**
 * The guardrails on an answer (aigw-guardrails decided them; the signed plan carries them): the
 * route's response detectors (monitor, redact, block) and the request's placeholders put back.
 * The provider's text is scanned before restoring, so the user's own values coming back are never
 * taken for a leak; what the answer itself leaks is redacted as `[REDACTED:type]`, which no
 * restoring touches. Whole answers are read field by field in any client format; streams are read
 * event by event (answer-guard-stream.ts). Never logs or counts what matched: detector, type, action.
 */
import { type GatewayError, gatewayError } from '../../lib/errors';
import { type Detector, detectAll, disjointFindings, type Finding, restorePlaceholders } from '../../lib/guardrails';
import { type GuardrailPlan, type ResponseAction, responseDetectors } from '../../lib/guardrails/plan';
import type { GuardPhase } from '../../lib/metrics/guardrail-series';

/** What the relay's metrics and log take from a guard (set by main.ts; a test leaves it quiet). */
export interface AnswerGuardSink {
  event(detector: string, type: string, action: string, phase: GuardPhase): void;
  scanned(phase: GuardPhase, seconds: number): void;
}

export const QUIET_SINK: AnswerGuardSink = { event: () => undefined, scanned: () => undefined };

/** The refusal of an answer that leaked what the route blocks: the provider did answer, so not the client's 400. */
export function answerBlocked(finding: Pick<Finding, 'detector' | 'type'>): GatewayError {
  return gatewayError(422, `The answer was withheld by the gateway's guardrails: ${finding.detector} (${finding.type}).`, 'content_policy_violation');
}

export interface AnswerGuard {
  readonly detectors: Detector[];
  readonly action: ResponseAction | null;
  readonly restorations: ReadonlyMap<string, string>;
  readonly sink: AnswerGuardSink;
  /**
   * One text of the answer: scanned (a block is returned as the finding), redacted, restored.
   * `jsonString`: the text is JSON (a tool call's `arguments`), where a restored value lands inside
   * a string literal and must be escaped there, or a `"` in it would break the arguments.
   */
  text(text: string, jsonString?: boolean): { text: string } | { blocked: Finding };
}

/** The answer's guard, or null when the plan asks for none. */
export function answerGuardOf(plan: { guardrails?: GuardrailPlan }, sink: AnswerGuardSink = QUIET_SINK): AnswerGuard | null {
  const g = plan.guardrails;
  if (!g || (!g.restore && !g.response)) return null;
  const detectors = g.response ? responseDetectors(g.response) : [];
  const action = g.response && detectors.length > 0 ? g.response.action : null;
  const restorations = new Map(g.restore ?? []);
  let escaped: Map<string, string> | null = null;
  const escapedRestorations = (): Map<string, string> =>
    (escaped ??= new Map([...restorations].map(([placeholder, value]) => [placeholder, JSON.stringify(value).slice(1, -1)])));
  return {
    detectors,
    action,
    restorations,
    sink,
    text(text, jsonString = false) {
      let out = text;
      if (action) {
        const findings = detectAll(text, detectors).findings;
        for (const f of findings) sink.event(f.detector, f.type, action, 'response');
        if (action === 'block' && findings.length > 0) return { blocked: findings[0]! };
        if (action === 'redact' && findings.length > 0) out = redactAnswer(text, findings);
      }
      if (restorations.size === 0) return { text: out };
      return { text: restorePlaceholders(out, jsonString ? escapedRestorations() : restorations) };
    },
  };
}

/** Each finding replaced with `[REDACTED:type]`. */
export function redactAnswer(text: string, findings: readonly Finding[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const f of disjointFindings(findings)) {
    parts.push(text.slice(at, f.start), `[REDACTED:${f.type}]`);
    at = f.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Fields that hold generated text in any client format's answer. */
const TEXT_KEYS: ReadonlySet<string> = new Set(['content', 'text', 'arguments', 'refusal', 'output_text', 'reasoning_content', 'thinking']);
/** Fields whose every string is generated (tool inputs: Anthropic's `input`, Google's `args`). */
const GENERATED_OBJECTS: ReadonlySet<string> = new Set(['input', 'args']);
const MAX_DEPTH = 32;

/**
 * A whole answer (an object, or its JSON text) with every generated string guarded; the first
 * block stops the walk. Ids, models, roles and other fields are left alone.
 */
export function guardAnswer(guard: AnswerGuard, rendered: unknown): { ok: true; body: unknown } | { ok: false; blocked: Finding } {
  const started = performance.now();
  let body = rendered;
  if (typeof rendered === 'string') {
    try {
      body = JSON.parse(rendered) as unknown;
    } catch {
      return { ok: true, body: rendered };
    }
  }
  let blocked: Finding | null = null;
  const walk = (value: unknown, generated: boolean, depth: number, jsonString = false): unknown => {
    if (blocked || depth > MAX_DEPTH) return value;
    if (typeof value === 'string') {
      if (!generated || value === '') return value;
      const out = guard.text(value, jsonString);
      if ('blocked' in out) {
        blocked = out.blocked;
        return value;
      }
      return out.text;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, generated, depth + 1));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      // A text key marks its own string; only tool inputs make everything below them generated (ids in content arrays are not).
      const text = TEXT_KEYS.has(key) && typeof field === 'string';
      out[key] = walk(field, generated || GENERATED_OBJECTS.has(key) || text, depth + 1, text && key === 'arguments');
    }
    return out;
  };
  const guarded = walk(body, false, 0);
  guard.sink.scanned('response', (performance.now() - started) / 1000);
  return blocked ? { ok: false, blocked } : { ok: true, body: guarded };
}
