// POST /v1/chat/completions: picks the script, then answers as OpenAI would (JSON or SSE),
// with the scripted timing and faults.

import type { ServerResponse } from 'node:http';
import { type AnswerPlan, planAnswer } from './answer';
import { extractDirective } from './directive';
import { encodeAnswer } from './encoding';
import * as wire from './openai';
import type { ScriptQueue } from './script';
import { chooseScript, interTokenMs } from './script';
import type { RequestContext } from './server';
import { sendJson, writeFlushed } from './server';
import { Pacer, untilAborted } from './timing';
import type { MockScript } from './types';

/**
 * How a dialect that speaks OpenAI's chat format with its own framing (Azure) dresses the same
 * answer: its error bodies, the completion and chunk objects, and chunks sent before the answer.
 * Absent: OpenAI's own shapes.
 */
export interface ChatFlavour {
  /** The error body (and extra headers) for a scripted status. */
  errorForStatus(
    status: number,
    c: { model: string; requestId: string; promptTokens: number; retryAfterSeconds: number; script: MockScript },
  ): { body: unknown; headers?: Record<string, string> };
  completion(obj: ReturnType<typeof wire.chatCompletion>, plans: AnswerPlan[]): unknown;
  chunk(obj: ReturnType<typeof wire.chunk>, plans: AnswerPlan[]): unknown;
  /** Chunks sent right after the headers, before any choice (Azure's prompt-filter chunk). */
  streamPrologue?(): unknown[];
}

/** What the chat and embeddings handlers need from the dialect serving them. */
export interface ChatHost {
  queue: ScriptQueue;
  defaults: MockScript;
  /** Checked against body.model (404 model_not_found); leave unset when the URL names the model. */
  models?: string[];
  fingerprint: string;
  headers(ctx: RequestContext, requestId: string, tokens: number, rateLimited: boolean): Record<string, string>;
  flavour?: ChatFlavour;
}

export async function handleChatCompletion(ctx: RequestContext, d: ChatHost): Promise<void> {
  const requestId = wire.newRequestId();
  const fail = (status: number, body: unknown, extra: Record<string, string> = {}) =>
    sendJson(ctx.res, status, body, { ...d.headers(ctx, requestId, 0, status === 429), ...extra });

  if (ctx.jsonError) return fail(400, wire.errors.invalidJson());
  const invalid = wire.validateChatRequest(ctx.body);
  if (invalid) return fail(400, invalid);
  const body = ctx.body as Record<string, unknown>;
  const model = body.model as string;
  if (d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model));

  // The directive lives in the last user message; it is stripped before counting and seeding.
  const messages = body.messages as Array<Record<string, unknown>>;
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  let directive: MockScript | undefined;
  const lastUserTexts: string[] = lastUser >= 0 ? wire.messageText(messages[lastUser].content) : [];
  for (let i = 0; i < lastUserTexts.length && !directive; i++) {
    const scan = extractDirective(lastUserTexts[i]);
    // A malformed directive is a broken test: say so loudly instead of answering by default.
    if (scan.error) return fail(400, wire.errorBody(scan.error, 'invalid_request_error', 'messages', null));
    directive = scan.script;
    lastUserTexts[i] = scan.text;
  }

  const { script } = chooseScript(directive, d.queue, d.defaults);
  encodeAnswer(ctx.res, script);
  const promptTokens = wire.countPromptTokens(body, lastUser >= 0 ? { index: lastUser, texts: lastUserTexts } : undefined);
  const n = typeof body.n === 'number' && body.n >= 1 ? Math.floor(body.n) : 1;
  const maxTokens = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === 'number');
  const seedText = `${typeof body.seed === 'number' ? body.seed : ''}|${lastUserTexts.join('\n').trim()}`;
  const shape = wire.answerShape(body);
  const plans = Array.from({ length: n }, (_, i) => planAnswer(script, { maxTokens, seed: `${seedText}|${i}`, shape }));
  const completionTokens = plans.reduce((s, p) => s + p.completionTokens, 0);

  if (script.hang) return untilAborted(ctx.signal);

  const pacer = new Pacer(ctx.signal, ctx.startedAt);
  const ttft = script.ttftMs ?? 0;
  if (!(await pacer.at(ttft))) return;

  if (script.status !== undefined && script.status >= 400) {
    const retryAfter = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
    const c = { model, requestId, promptTokens, retryAfterSeconds: retryAfter ?? 1 };
    const flavoured = d.flavour?.errorForStatus(script.status, { ...c, script });
    const errBody = script.errorBody ?? flavoured?.body ?? wire.errorForStatus(script.status, c);
    return fail(script.status, errBody, { ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}), ...(flavoured?.headers ?? {}) });
  }

  const meta: wire.CompletionMeta = {
    id: wire.newChatId(),
    created: Math.floor(Date.now() / 1000),
    model,
    systemFingerprint: d.fingerprint,
    toolCallIds: plans.map((p) => p.toolCalls.map(() => wire.newToolCallId())),
  };
  const headers = d.headers(ctx, requestId, promptTokens + completionTokens, false);
  const usage = wire.usage(promptTokens, completionTokens, script.cachedTokens ?? 0, script.reasoningTokens ?? 0);
  const interval = interTokenMs(script);

  if (body.stream !== true) {
    // Connection reset before any byte of the answer.
    if (script.cutAfterTokens !== undefined) return void ctx.res.destroy();
    const rounds = Math.max(...plans.map((p) => streamRounds(p, meta, 0).length));
    if (!(await pacer.at(ttft + Math.max(0, rounds - 1) * interval))) return;
    const completion = wire.chatCompletion(meta, plans, script.omitUsage ? undefined : usage);
    return sendJson(ctx.res, 200, d.flavour ? d.flavour.completion(completion, plans) : completion, {
      ...headers,
      'openai-processing-ms': String(Math.round(performance.now() - ctx.startedAt)),
    });
  }

  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const includeUsage = streamOptions?.include_usage === true;
  await streamAnswer(ctx.res, pacer, { meta, plans, ttft, interval, includeUsage, usage, script, headers, ctx, flavour: d.flavour });
}

interface StreamInput {
  meta: wire.CompletionMeta;
  plans: AnswerPlan[];
  ttft: number;
  interval: number;
  includeUsage: boolean;
  usage: wire.Usage;
  script: MockScript;
  headers: Record<string, string>;
  ctx: RequestContext;
  flavour?: ChatFlavour;
}

/**
 * A choice's deltas grouped into rounds: each round ends with one paced delta (a token) and
 * starts with any unpaced ones (the role chunk, a tool call's opening delta) sent at the same time.
 */
function streamRounds(plan: AnswerPlan, meta: wire.CompletionMeta, choice: number): wire.Delta[][] {
  const rounds: wire.Delta[][] = [];
  let pending: wire.Delta[] = [];
  const paced = (delta: wire.Delta) => {
    rounds.push([...pending, delta]);
    pending = [];
  };
  if (plan.toolCalls.length > 0) {
    plan.toolCalls.forEach((call, i) => {
      pending.push(wire.toolCallStartDelta(i, meta.toolCallIds[choice]?.[i] ?? '', call.name));
      call.argPieces.forEach((p) => paced(wire.toolCallArgsDelta(i, p)));
    });
  } else {
    pending.push(wire.roleDelta());
    plan.pieces.forEach((p) => paced(wire.contentDelta(p)));
  }
  if (pending.length > 0) rounds.push(pending);
  return rounds;
}

async function streamAnswer(res: ServerResponse, pacer: Pacer, s: StreamInput): Promise<void> {
  const { meta, plans, ttft, interval, includeUsage, script } = s;
  const usageField = includeUsage ? null : undefined;
  const flavour = s.flavour;
  const raw = (obj: unknown) => writeFlushed(res, `data: ${JSON.stringify(obj)}\n\n`);
  const sse = (obj: ReturnType<typeof wire.chunk>) => raw(flavour ? flavour.chunk(obj, plans) : obj);

  res.writeHead(200, {
    ...s.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'openai-processing-ms': String(Math.round(performance.now() - s.ctx.startedAt)),
  });
  res.flushHeaders();
  for (const early of flavour?.streamPrologue?.() ?? []) if (!(await raw(early))) return;

  const perChoice = plans.map((p, i) => streamRounds(p, meta, i));
  const total = Math.max(...perChoice.map((r) => r.length));
  const cut = script.cutAfterTokens;
  for (let r = 0; r < total; r++) {
    if (cut !== undefined && r >= cut) return void res.destroy();
    if (!(await pacer.at(ttft + r * interval))) return;
    for (let c = 0; c < perChoice.length; c++) {
      for (const delta of perChoice[c][r] ?? []) {
        if (!(await sse(wire.chunk(meta, [{ index: c, delta }], usageField)))) return;
      }
    }
  }
  // Cut beyond the answer's length: the answer is complete but the stream never finishes.
  if (cut !== undefined) return void res.destroy();

  for (let c = 0; c < plans.length; c++) {
    if (!(await sse(wire.chunk(meta, [{ index: c, delta: {}, finishReason: plans[c].finishReason }], usageField)))) return;
  }
  if (includeUsage && !script.omitUsage) {
    if (!(await sse({ ...wire.chunk(meta, [], undefined), usage: s.usage }))) return;
  }
  res.end('data: [DONE]\n\n');
}
