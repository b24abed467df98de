// POST /v1/messages: picks the script, then answers as Anthropic would (message JSON or the
// SSE event sequence), with the scripted timing and faults. Also /v1/messages/count_tokens.

import type { ServerResponse } from 'node:http';
import { type AnswerPlan, applyStopSequences, planAnswer } from './answer';
import * as wire from './anthropic';
import type { AnthropicDialect } from './anthropic-routes';
import { extractFromTexts } from './directive';
import { encodeAnswer } from './encoding';
import { chooseScript, interTokenMs } from './script';
import type { RequestContext } from './server';
import { sendJson, writeFlushed } from './server';
import { Pacer, untilAborted } from './timing';
import { countTokens, splitIntoPieces } from './tokenizer';
import type { MockScript } from './types';

type Event = { type: string };

/** The last user message's text blocks, directive removed; or the directive's error. */
function scanLastUser(body: Record<string, unknown>) {
  const messages = body.messages as Array<Record<string, unknown>>;
  const index = messages.map((m) => m.role).lastIndexOf('user');
  const scan = extractFromTexts(index >= 0 ? wire.blockTexts(messages[index].content) : []);
  return { index, ...scan };
}

export async function handleMessages(ctx: RequestContext, d: AnthropicDialect): Promise<void> {
  const rid = wire.newRequestId();
  let retryAfter: number | undefined;
  const fail = (status: number, body: unknown) =>
    sendJson(ctx.res, status, body, {
      ...d.headers(rid, status === 429, retryAfter ?? 1),
      ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    });

  if (ctx.jsonError) return fail(400, wire.errors.invalidJson(rid));
  const invalid = wire.validateMessagesRequest(ctx.body, rid);
  if (invalid) return fail(400, invalid);
  const body = ctx.body as Record<string, unknown>;
  const model = body.model as string;
  if (d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model, rid));
  const unsigned = wire.badThinkingSignature(body, rid);
  if (unsigned) return fail(400, unsigned);

  const last = scanLastUser(body);
  // A malformed directive is a broken test: say so loudly instead of answering by default.
  if (last.error) return fail(400, wire.errors.invalid(last.error, rid));
  const { script } = chooseScript(last.script, d.queue, d.defaults);
  encodeAnswer(ctx.res, script);
  const promptTokens = wire.countPromptTokens(body, last.index >= 0 ? { index: last.index, texts: last.texts } : undefined);
  const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === 'string') : [];
  const planned = planAnswer(script, { maxTokens: body.max_tokens as number, seed: last.texts.join('\n').trim(), shape: wire.answerShape(body) });
  const { plan, matched } = applyStopSequences(planned, stops);

  if (script.hang) return untilAborted(ctx.signal);
  const pacer = new Pacer(ctx.signal, ctx.startedAt);
  const ttft = script.ttftMs ?? 0;
  if (!(await pacer.at(ttft))) return;

  if (script.status !== undefined && script.status >= 400) {
    retryAfter = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
    return fail(script.status, script.errorBody ?? wire.errorForStatus(script.status, { model, requestId: rid, promptTokens }));
  }

  const meta: wire.MessageMeta = { id: wire.newMessageId(), model, toolUseIds: plan.toolCalls.map(() => wire.newToolUseId()) };
  // Thinking tokens are billed as output tokens.
  const thinkingTokens = (script.reasoningTokens ?? 0) + countTokens(script.thinking ?? '');
  const u = wire.usage(promptTokens, plan.completionTokens + thinkingTokens, script.cachedTokens ?? 0, script.cacheWriteTokens ?? 0);
  const stop = wire.stopReason(plan.finishReason, matched);
  const rounds = streamRounds(plan, meta, u, script.thinking);
  const interval = interTokenMs(script);

  if (body.stream !== true) {
    // Connection reset before any byte of the answer.
    if (script.cutAfterTokens !== undefined) return void ctx.res.destroy();
    if (!(await pacer.at(ttft + Math.max(0, rounds.length - 1) * interval))) return;
    return sendJson(ctx.res, 200, wire.message(meta, wire.contentBlocks(plan, meta, script.thinking), stop, matched ?? null, u), d.headers(rid));
  }

  // The answer's blocks follow the thinking block, which ends before them.
  const first = script.thinking === undefined ? 0 : 1;
  const lastBlock = plan.toolCalls.length > 0 ? first + plan.toolCalls.length - 1 : plan.pieces.length > 0 ? first : -1;
  const tail: Event[] = [...(lastBlock >= 0 ? [wire.blockStop(lastBlock)] : []), wire.messageDelta(stop, matched ?? null, u), wire.messageStop()];
  await streamEvents(ctx.res, pacer, { rounds, tail, ttft, interval, script, headers: d.headers(rid) });
}

/**
 * The events grouped into rounds: each round ends with one paced delta (a token, or an argument
 * fragment) and starts with the unpaced events sent at the same moment (message_start, block
 * starts and stops, ping). Blocks: a signed thinking block when scripted (a delta per token, then
 * the signature), then one text block, or one tool_use block per call.
 */
function streamRounds(plan: AnswerPlan, meta: wire.MessageMeta, u: wire.Usage, thinking: string | undefined): Event[][] {
  const rounds: Event[][] = [];
  let pending: Event[] = [wire.messageStart(meta, u)];
  const paced = (e: Event) => {
    rounds.push([...pending, e]);
    pending = [];
  };
  // One ping, after the first block starts.
  let pinged = false;
  const ping = () => {
    if (!pinged) pending.push(wire.ping());
    pinged = true;
  };
  let first = 0;
  if (thinking !== undefined) {
    pending.push(wire.thinkingBlockStart(0));
    ping();
    splitIntoPieces(thinking).forEach((p) => paced(wire.thinkingDelta(0, p)));
    pending.push(wire.signatureDelta(0, wire.thinkingSignature(thinking)), wire.blockStop(0));
    first = 1;
  }
  if (plan.toolCalls.length > 0) {
    plan.toolCalls.forEach((call, i) => {
      const index = first + i;
      if (i > 0) pending.push(wire.blockStop(index - 1));
      // The API opens a tool_use block with an empty input and an empty first fragment.
      pending.push(wire.toolBlockStart(index, meta.toolUseIds[i], call.name), wire.jsonDelta(index, ''));
      ping();
      call.argPieces.forEach((p) => paced(wire.jsonDelta(index, p)));
    });
  } else {
    if (plan.pieces.length > 0) pending.push(wire.textBlockStart(first));
    ping();
    plan.pieces.forEach((p) => paced(wire.textDelta(first, p)));
  }
  if (pending.length > 0) rounds.push(pending);
  return rounds;
}

interface StreamInput {
  rounds: Event[][];
  tail: Event[];
  ttft: number;
  interval: number;
  script: MockScript;
  headers: Record<string, string>;
}

async function streamEvents(res: ServerResponse, pacer: Pacer, s: StreamInput): Promise<void> {
  res.writeHead(200, { ...s.headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const cut = s.script.cutAfterTokens;
  // An `event: error` where the next delta would be (message_start always first), and nothing after it.
  const errorAt = s.script.streamErrorAfterTokens;
  const errorEvent = () => wire.sseEvent(wire.streamError(s.script.streamErrorType ?? 'overloaded_error'));
  for (let r = 0; r < s.rounds.length; r++) {
    if (cut !== undefined && r >= cut) return void res.destroy();
    if (!(await pacer.at(s.ttft + r * s.interval))) return;
    if (errorAt !== undefined && r >= errorAt) return void res.end((r === 0 ? wire.sseEvent(s.rounds[0][0]) : '') + errorEvent());
    if (!(await writeFlushed(res, s.rounds[r].map(wire.sseEvent).join('')))) return;
  }
  // Cut beyond the answer's length: complete content, but message_stop never comes.
  if (cut !== undefined) return void res.destroy();
  if (errorAt !== undefined) return void res.end(errorEvent());
  res.end(s.tail.map(wire.sseEvent).join(''));
}

/** MessageCountTokensParams (@anthropic-ai/sdk, betas included): the API refuses any other top-level field, max_tokens too. */
const COUNT_TOKENS_FIELDS = new Set([
  'messages',
  'model',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'cache_control',
  'output_config',
  'speed',
  'user_profile_id',
  'context_management',
  'mcp_servers',
]);

/**
 * POST /v1/messages/count_tokens: the same prompt count the messages answer reports. A script's
 * fault (status, errorBody, retryAfterSeconds, hang) answers the count as it would a message.
 */
export function handleCountTokens(ctx: RequestContext, d: AnthropicDialect): Promise<void> | void {
  const rid = wire.newRequestId();
  const fail = (status: number, body: unknown, retryAfter?: number) =>
    sendJson(ctx.res, status, body, {
      ...d.headers(rid, status === 429, retryAfter ?? 1),
      ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    });
  if (ctx.jsonError) return fail(400, wire.errors.invalidJson(rid));
  const fields = typeof ctx.body === 'object' && ctx.body !== null && !Array.isArray(ctx.body) ? Object.keys(ctx.body) : [];
  const extra = fields.find((key) => !COUNT_TOKENS_FIELDS.has(key));
  if (extra !== undefined) return fail(400, wire.errors.invalid(`${extra}: Extra inputs are not permitted`, rid));
  // Same validation as messages, max_tokens aside.
  const invalid = wire.validateMessagesRequest({ max_tokens: 1, ...(ctx.body as object) }, rid);
  if (invalid) return fail(400, invalid);
  const body = ctx.body as Record<string, unknown>;
  const model = body.model as string;
  if (d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model, rid));
  const last = scanLastUser(body);
  if (last.error) return fail(400, wire.errors.invalid(last.error, rid));
  const { script } = chooseScript(last.script, d.queue, d.defaults);
  const promptTokens = wire.countPromptTokens(body, last.index >= 0 ? { index: last.index, texts: last.texts } : undefined);
  if (script.hang) return untilAborted(ctx.signal);
  if (script.status !== undefined && script.status >= 400) {
    const retryAfter = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
    return fail(script.status, script.errorBody ?? wire.errorForStatus(script.status, { model, requestId: rid, promptTokens }), retryAfter);
  }
  sendJson(ctx.res, 200, { input_tokens: promptTokens }, d.headers(rid));
}
