/**
 * aigw-guardrails: scans a chat, messages, Responses or Google request before it is cached,
 * compressed, planned or sent. Per detector: `monitor` counts and logs, `redact` replaces what
 * matched with placeholders in the body sent on (the map back rides the identity and the signed
 * plan to the relay, which restores the answer), `block` refuses with 400 content_policy_violation
 * in the client's error shape. Kong's ai-prompt-guard patterns and an external (Lakera-shaped)
 * guard join them. Logs and metrics carry detector, type, action and offsets, never the text.
 * A policy, so it fails closed: a guard that cannot vouch for a request refuses it, except the
 * external guard, whose on_error the route chooses.
 */
import { conversationFormatOf } from '../../lib/endpoints';
import { clientFormatOf, type GatewayError, gatewayError } from '../../lib/errors';
import type { EmbedTexts } from '../../lib/guardrails';
import { createRedactionSession, detectAll, evaluatePromptGuard, type Finding, MAX_DETECT_CHARS } from '../../lib/guardrails';
import { GuardActions } from '../../lib/guardrails/actions';
import { boundedRestorations, type GuardrailPlan } from '../../lib/guardrails/plan';
import { IDENTITY_CTX_KEY, type RequestIdentity, restoreIdentity } from '../../lib/identity';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { logRefusal } from '../../lib/kong/request-log';
import { exitWith } from '../../lib/kong/respond';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import { parseJsonBody } from '../../lib/validate';
import type { GuardrailsConfig } from './config';
import type { ExternalGuard } from './external';
import type { GuardrailsMetrics } from './metrics';
import { type Action, type CompiledGuardrails, compileGuardrails, readsPart } from './policy';
import { type CompiledSemantic, compileSemantic, detectSemantic } from './semantic';
import { conversationOf, type ScannedPart, type ScannedText, scannedTexts } from './texts';

const PLUGIN = 'aigw-guardrails';
/** At most this many findings are listed in the log line (all are counted). */
const MAX_LOGGED_FINDINGS = 32;

/** One finding as logged: where, never what. */
interface LoggedFinding {
  detector: string;
  type: string;
  action: Action;
  part: ScannedPart;
  /** Index of the scanned text (in scan order). */
  text: number;
  start: number;
  end: number;
}

export function contentPolicyViolation(detector: string, type: string): GatewayError {
  return gatewayError(400, `The request was blocked by the gateway's guardrails: ${detector} (${type}).`, 'content_policy_violation');
}

const GUARD_UNAVAILABLE = gatewayError(503, "The gateway's external guard could not check the request; try again later.", 'guardrail_unavailable');

export class GuardrailsHandler {
  private readonly compiled: CompiledGuardrails;
  private readonly semantic: CompiledSemantic | null;
  private readonly tracing = pluginTracing(PLUGIN);

  constructor(
    private readonly config: GuardrailsConfig,
    private readonly metrics: GuardrailsMetrics,
    private readonly external: ExternalGuard | null,
    private readonly requestLog: RequestLogWriter | null = null,
    private readonly embed: EmbedTexts | null = null,
  ) {
    this.compiled = compileGuardrails(config);
    this.semantic = embed ? compileSemantic(config, embed) : null;
  }

  async access(kong: Kong): Promise<void> {
    const started = performance.now();
    const startedAt = Date.now();
    let identity: RequestIdentity | undefined;
    let path = '';
    let error: GatewayError | null;
    const actions = new GuardActions();
    try {
      identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
      path = await kong.request.getPath();
      error = await this.guard(kong, path, identity, actions);
    } catch (thrown) {
      // A guard that failed cannot vouch for the request: refused, never passed unchecked.
      await pluginLog(kong, PLUGIN, 'error', 'guardrails failed: the request was refused', { error: thrown });
      error = gatewayError(503, "The gateway's guardrails could not check the request.", 'guardrail_unavailable');
    }
    this.metrics.guard.scanned('request', (performance.now() - started) / 1000);
    PluginTrace.start(this.tracing, PLUGIN, identity?.traceparent, startedAt)?.end(error);
    if (!error) return;
    const subject = identity && { teamName: identity.teamName ?? null, keyId: identity.keyId, keyAlias: identity.keyAlias };
    this.metrics.refused(path, error, subject ?? undefined);
    if (identity?.keyId) {
      const { requestId, keyId, teamId, model, admittedAt, template } = identity;
      const who = {
        requestId,
        keyId,
        teamId,
        model: model || null,
        startedAt: admittedAt,
        guardrailActions: actions.refusalSummary(),
        template: template ?? null,
      };
      await logRefusal(kong, this.requestLog, PLUGIN, who, error);
    }
    return exitWith(kong, clientFormatOf(path), error);
  }

  private async guard(kong: Kong, path: string, identity: RequestIdentity | undefined, actions: GuardActions): Promise<GatewayError | null> {
    const format = conversationFormatOf(path);
    if (!format) return null;
    const max = this.config.max_request_body_bytes;
    const raw = await kong.request.getRawBody(max);
    if (!raw) return null; // aigw-proxy refuses a missing body
    if (raw.length > max) return this.compiled.blocks ? tooLarge(max) : null;
    const parsed = parseJsonBody(Buffer.from(raw));
    if (!parsed.ok) return null; // aigw-proxy refuses it in the client's shape
    const body = parsed.value;
    const logged: LoggedFinding[] = [];
    let blocked: GatewayError | null = null;
    const note = (f: { detector: string; type: string; start: number; end: number }, action: Action, part: ScannedPart, text: number): void => {
      this.metrics.guard.event(f.detector, f.type, action, 'request');
      actions.note(f.detector, action);
      if (logged.length < MAX_LOGGED_FINDINGS) logged.push({ detector: f.detector, type: f.type, action, part, text, start: f.start, end: f.end });
      if (action === 'block') blocked ??= contentPolicyViolation(f.detector, f.type);
    };

    const pg = this.compiled.promptGuard;
    if (pg) {
      const verdict = evaluatePromptGuard(pg.guard, conversationOf(format, body), raw.length);
      if (!verdict.allowed) note({ detector: 'prompt_guard', type: verdict.reason, start: 0, end: 0 }, pg.action, 'user', -1);
    }

    const texts = scannedTexts(format, body, { system: this.config.scan_system, toolResults: this.config.scan_tool_results });
    const redactions: Array<{ index: number; findings: Finding[] }> = [];
    texts.forEach((scanned, index) => {
      const toRedact: Finding[] = [];
      for (const { detector, action } of this.compiled.detectors) {
        if (!readsPart(detector.name, scanned.part)) continue;
        const result = detectAll(scanned.text, [detector]);
        // What was not read cannot be vouched for: a blocking detector refuses it.
        if (!result.complete && action === 'block')
          note({ detector: detector.name, type: 'unread', start: MAX_DETECT_CHARS, end: scanned.text.length }, action, scanned.part, index);
        for (const f of result.findings) {
          note(f, action, scanned.part, index);
          if (action === 'redact') toRedact.push(f);
        }
      }
      if (toRedact.length > 0) redactions.push({ index, findings: toRedact });
    });

    // Read before redaction rewrites anything: a block here sends nothing on.
    if (!blocked && this.semantic) {
      for (const { finding, action, text } of await this.detectSemantic(kong, texts)) note(finding, action, texts[text]!.part, text);
    }

    let restore: Array<[string, string]> | null = null;
    if (!blocked && redactions.length > 0) {
      const session = createRedactionSession();
      for (const { index, findings } of redactions) texts[index]!.write(session.redact(texts[index]!.text, findings));
      await kong.service.request.setRawBody(JSON.stringify(body));
      if (this.config.restore_in_response) {
        restore = boundedRestorations(session.restorations);
        if (!restore) {
          this.metrics.failedOpen('restore_map');
          await pluginLog(kong, PLUGIN, 'warn', 'too many redacted values to restore: the answer keeps its placeholders', {
            placeholders: session.restorations.size,
          });
        }
      }
    }

    if (!blocked && this.external && this.config.external) {
      const outcome = await this.checkExternal(kong, format, body);
      if (outcome === 'unavailable') blocked = GUARD_UNAVAILABLE;
      else if (outcome === 'flagged') note({ detector: 'external', type: 'flagged', start: 0, end: 0 }, this.config.external.action, 'user', -1);
    }

    if (logged.length > 0)
      await pluginLog(kong, PLUGIN, blocked ? 'warn' : 'info', blocked ? 'request blocked by a guardrail' : 'guardrail findings', { findings: logged });
    if (blocked) return blocked;
    await this.hand(kong, identity, restore, actions.list());
    return null;
  }

  /** The embedding detectors' findings; none when the sidecar is down or slow (fail open, counted, one log line). */
  private async detectSemantic(kong: Kong, texts: readonly ScannedText[]) {
    const outcome = await detectSemantic(this.semantic!, texts, this.embed!, AbortSignal.timeout(this.config.embed_deadline_ms));
    if (outcome.ok) return outcome.findings;
    this.metrics.storeError('inference', 'embed');
    this.metrics.failedOpen('embedding');
    await pluginLog(kong, PLUGIN, 'warn', 'embeddings unavailable: similarity and topics let the request through', { reason: outcome.reason });
    return [];
  }

  /** The external guard's verdict on the (redacted) conversation; its failure as the route's on_error says. */
  private async checkExternal(
    kong: Kong,
    format: Parameters<typeof conversationOf>[0],
    body: Record<string, unknown>,
  ): Promise<'clean' | 'flagged' | 'unavailable'> {
    const messages = conversationOf(format, body)
      .messages.filter((m) => m.text)
      .map((m) => ({ role: m.role, content: m.text }));
    const verdict = await this.external!.check(messages);
    if (verdict.ok) return verdict.flagged ? 'flagged' : 'clean';
    this.metrics.storeError('external_guard', 'guard');
    const open = this.config.external!.on_error === 'open';
    if (open) this.metrics.failedOpen('external');
    await pluginLog(
      kong,
      PLUGIN,
      'warn',
      open ? 'external guard failed: the request goes on unchecked (on_error open)' : 'external guard failed: the request is refused (on_error closed)',
      {
        reason: verdict.reason,
      },
    );
    return open ? 'clean' : 'unavailable';
  }

  /** The placeholder map, the response policy and the actions taken ride the identity to aigw-proxy, which signs them into the plan. */
  private async hand(kong: Kong, identity: RequestIdentity | undefined, restore: Array<[string, string]> | null, actions: string[]): Promise<void> {
    if (!identity) return;
    const plan: GuardrailPlan = {};
    if (restore && restore.length > 0) plan.restore = restore;
    if (this.compiled.response) plan.response = this.compiled.response;
    if (actions.length > 0) plan.actions = actions;
    if (!plan.restore && !plan.response && !plan.actions) return;
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, guardrails: plan });
  }
}

function tooLarge(max: number): GatewayError {
  return gatewayError(413, `The request body is larger than the guardrails read (${max} bytes).`, 'request_too_large');
}
