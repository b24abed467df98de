// :generateContent and :streamGenerateContent (SSE with ?alt=sse, else a streamed JSON array):
// picks the script, then answers as Gemini would, with the scripted timing and faults.
// Also :countTokens, which reports the same prompt count.

import { type AnswerPlan, applyStopSequences, planAnswer } from './answer';
import { extractFromTexts } from './directive';
import { encodeAnswer } from './encoding';
import * as wire from './gemini';
import type { GeminiDialect } from './gemini-routes';
import { chooseScript, interTokenMs } from './script';
import type { RequestContext } from './server';
import { writeFlushed } from './server';
import { Pacer, untilAborted } from './timing';

/** The last user content's text parts (a content without a role is the user's), directive removed. */
function scanLastUser(body: Record<string, unknown>) {
  const contents = body.contents as Array<{ role?: unknown; parts?: unknown }>;
  const index = contents.map((c) => c.role ?? 'user').lastIndexOf('user');
  const scan = extractFromTexts(index >= 0 ? wire.partTexts(contents[index].parts) : []);
  return { index, ...scan };
}

export async function handleGenerate(ctx: RequestContext, d: GeminiDialect, model: string, stream: boolean): Promise<void> {
  const method = stream ? 'streamGenerateContent' : 'generateContent';
  if (ctx.jsonError) return d.send(ctx, 400, wire.errors.invalidJson('Syntax error in the request body.'));
  const invalid = wire.validateGenerateRequest(ctx.body);
  if (invalid) return d.send(ctx, 400, invalid);
  if (d.rejectModel(ctx, model, method)) return;
  const body = ctx.body as Record<string, unknown>;

  const last = scanLastUser(body);
  // A malformed directive is a broken test: say so loudly instead of answering by default.
  if (last.error) return d.send(ctx, 400, wire.errors.invalidArgument(last.error));
  const { script } = chooseScript(last.script, d.queue, d.defaults);
  encodeAnswer(ctx.res, script);
  const promptTokens = wire.countPromptTokens(body, last.index >= 0 ? { index: last.index, texts: last.texts } : undefined);
  const gc = (body.generationConfig ?? {}) as Record<string, unknown>;
  const n = typeof gc.candidateCount === 'number' && gc.candidateCount >= 1 ? Math.floor(gc.candidateCount) : 1;
  const maxTokens = typeof gc.maxOutputTokens === 'number' ? gc.maxOutputTokens : undefined;
  const stops = Array.isArray(gc.stopSequences) ? gc.stopSequences.filter((s): s is string => typeof s === 'string') : [];
  const seedText = `${typeof gc.seed === 'number' ? gc.seed : ''}|${last.texts.join('\n').trim()}`;
  const shape = wire.answerShape(body);
  const plans = Array.from({ length: n }, (_, i) => applyStopSequences(planAnswer(script, { maxTokens, seed: `${seedText}|${i}`, shape }), stops).plan);

  if (script.hang) return untilAborted(ctx.signal);
  const pacer = new Pacer(ctx.signal, ctx.startedAt);
  const ttft = script.ttftMs ?? 0;
  if (!(await pacer.at(ttft))) return;

  if (script.status !== undefined && script.status >= 400) {
    // Google sends no Retry-After header; the delay travels in the body's RetryInfo.
    const retryAfterSeconds = script.retryAfterSeconds ?? 1;
    return d.send(ctx, script.status, script.errorBody ?? wire.errorForStatus(script.status, { model, promptTokens, retryAfterSeconds }));
  }

  const responseId = wire.newResponseId();
  const sse = ctx.query.get('alt') === 'sse';
  if (script.blockReason !== undefined) {
    const usage = script.omitUsage ? undefined : wire.usageMetadata({ prompt: promptTokens, cached: 0, thoughts: 0 });
    const blocked = wire.blockedResponse({ reason: script.blockReason, message: script.blockReasonMessage }, usage, model, responseId);
    if (!stream) return d.send(ctx, 200, blocked);
    // Streamed, the block is the one and only chunk.
    ctx.res.writeHead(200, { ...d.headers(ctx), 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8' });
    return void ctx.res.end(sse ? wire.sseFrame(blocked) : `[${wire.prettyJson(blocked)}]`);
  }
  const finish = (plan: AnswerPlan) => script.geminiFinishReason ?? wire.finishReason(plan.finishReason);
  const usageIn = {
    prompt: promptTokens,
    cached: script.cachedTokens ?? 0,
    thoughts: script.reasoningTokens ?? 0,
  };
  const finalUsage = script.omitUsage ? undefined : wire.usageMetadata({ ...usageIn, candidates: plans.reduce((s, p) => s + p.completionTokens, 0) });
  const partialUsage = script.omitUsage ? undefined : wire.usageMetadata(usageIn);
  const perCandidate = plans.map(chunkParts);
  const rounds = Math.max(...perCandidate.map((c) => c.length));
  const interval = interTokenMs(script);

  if (!stream) {
    // Connection reset before any byte of the answer.
    if (script.cutAfterTokens !== undefined) return void ctx.res.destroy();
    if (!(await pacer.at(ttft + Math.max(0, rounds - 1) * interval))) return;
    const candidates = plans.map((p, index) => ({ index, parts: wire.planParts(p), finishReason: finish(p) }));
    return d.send(ctx, 200, wire.response(candidates, finalUsage, model, responseId));
  }

  // Each round is one chunk; a candidate's last chunk carries its finishReason, the stream's last
  // chunk the full usage (earlier ones report the prompt side only, as Gemini does).
  const chunkAt = (r: number) =>
    wire.response(
      perCandidate.flatMap((parts, index) =>
        r < parts.length ? [{ index, parts: [parts[r]], finishReason: r === parts.length - 1 ? finish(plans[index]) : undefined }] : [],
      ),
      r === rounds - 1 ? finalUsage : partialUsage,
      model,
      responseId,
    );
  ctx.res.writeHead(200, { ...d.headers(ctx), 'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8' });
  ctx.res.flushHeaders();
  const cut = script.cutAfterTokens;
  for (let r = 0; r < rounds; r++) {
    if (cut !== undefined && r >= cut) return void ctx.res.destroy();
    if (!(await pacer.at(ttft + r * interval))) return;
    // Without alt=sse Gemini streams one JSON array, element by element.
    const text = sse ? wire.sseFrame(chunkAt(r)) : `${r === 0 ? '[' : ',\r\n'}${wire.prettyJson(chunkAt(r))}`;
    if (!(await writeFlushed(ctx.res, text))) return;
  }
  if (cut !== undefined) return void ctx.res.destroy();
  // SSE simply ends: Gemini sends no [DONE].
  ctx.res.end(sse ? '' : ']');
}

/** One part per chunk: a token of text, or a whole functionCall (Gemini never splits one). */
function chunkParts(plan: AnswerPlan): Array<Record<string, unknown>> {
  if (plan.toolCalls.length > 0) return plan.toolCalls.map((c) => wire.callPart(c.name, c.arguments));
  return plan.pieces.length > 0 ? plan.pieces.map(wire.textPart) : [wire.textPart('')];
}

/**
 * :countTokens, given `contents` or a whole `generateContentRequest` (never both; its `model` is
 * required, as a resource name). A script's fault (status, errorBody, retryAfterSeconds, hang)
 * answers the count as it would a generation.
 */
export function handleCountTokens(ctx: RequestContext, d: GeminiDialect, model: string): Promise<void> | void {
  if (ctx.jsonError) return d.send(ctx, 400, wire.errors.invalidJson('Syntax error in the request body.'));
  const raw = (ctx.body ?? {}) as Record<string, unknown>;
  const whole = raw.generateContentRequest as Record<string, unknown> | undefined;
  if (whole !== undefined && raw.contents !== undefined) {
    return d.send(ctx, 400, wire.errors.invalidArgument('contents and generate_content_request are mutually exclusive.'));
  }
  if (whole !== undefined && (typeof whole.model !== 'string' || !whole.model.startsWith('models/'))) {
    return d.send(ctx, 400, wire.errors.invalidArgument('* GenerateContentRequest.model: unexpected model name format\n'));
  }
  const body = whole ?? raw;
  const invalid = wire.validateGenerateRequest(body);
  if (invalid) return d.send(ctx, 400, invalid);
  if (d.rejectModel(ctx, model, 'countTokens')) return;
  const last = scanLastUser(body);
  if (last.error) return d.send(ctx, 400, wire.errors.invalidArgument(last.error));
  const { script } = chooseScript(last.script, d.queue, d.defaults);
  const total = wire.countPromptTokens(body, last.index >= 0 ? { index: last.index, texts: last.texts } : undefined);
  if (script.hang) return untilAborted(ctx.signal);
  if (script.status !== undefined && script.status >= 400) {
    const retryAfterSeconds = script.retryAfterSeconds ?? 1;
    return d.send(ctx, script.status, script.errorBody ?? wire.errorForStatus(script.status, { model, promptTokens: total, retryAfterSeconds }));
  }
  d.send(ctx, 200, { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] });
}
