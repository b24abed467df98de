// POST /v1/responses: picks the script, then answers as OpenAI's Responses API would (the response
// object, or its SSE event sequence), with the scripted timing and faults. Also
// POST /v1/responses/input_tokens. The mock keeps no responses: previous_response_id is refused.

import type { ServerResponse } from 'node:http';
import { type AnswerPlan, planAnswer } from './answer';
import { extractFromTexts } from './directive';
import * as wire from './openai';
import type { ChatHost } from './openai-chat';
import * as rwire from './openai-responses';
import { chooseScript, interTokenMs } from './script';
import type { RequestContext } from './server';
import { sendJson, writeFlushed } from './server';
import { Pacer, untilAborted } from './timing';

type Body = Record<string, unknown>;

/** What OpenAI checks before anything else: a JSON object with a model, an input, and no id it does not hold. */
function invalidRequest(ctx: RequestContext): unknown | null {
  if (ctx.jsonError || typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) return wire.errors.invalidJson();
  const body = ctx.body as Body;
  if (typeof body.model !== 'string' || body.model === '') return wire.errors.missingModel();
  if (typeof body.previous_response_id === 'string') return rwire.previousResponseNotFound(body.previous_response_id);
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) return wire.errors.missingParam('input');
  return null;
}

/** The last user message's texts, directive removed; or the directive's error. */
function scanLastUser(body: Body) {
  const items = rwire.inputItems(body.input);
  const index = rwire.lastUserIndex(items);
  return { index, ...extractFromTexts(index >= 0 ? rwire.contentTexts(items[index].content) : []) };
}

export async function handleResponses(ctx: RequestContext, d: ChatHost): Promise<void> {
  const requestId = wire.newRequestId();
  const fail = (status: number, body: unknown, extra: Record<string, string> = {}) =>
    sendJson(ctx.res, status, body, { ...d.headers(ctx, requestId, 0, status === 429), ...extra });

  const invalid = invalidRequest(ctx);
  if (invalid) return fail(400, invalid);
  const body = ctx.body as Body;
  const model = body.model as string;
  if (d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model));

  const last = scanLastUser(body);
  // A malformed directive is a broken test: say so loudly instead of answering by default.
  if (last.error) return fail(400, wire.errorBody(last.error, 'invalid_request_error', 'input', null));
  const { script } = chooseScript(last.script, d.queue, d.defaults);
  const inputTokens = rwire.countInputTokens(body, last.index >= 0 ? { index: last.index, texts: last.texts } : undefined);
  const maxTokens = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined;
  const plan = planAnswer(script, { maxTokens, seed: last.texts.join('\n').trim(), shape: rwire.answerShape(body) });

  if (script.hang) return untilAborted(ctx.signal);
  const pacer = new Pacer(ctx.signal, ctx.startedAt);
  const ttft = script.ttftMs ?? 0;
  if (!(await pacer.at(ttft))) return;

  if (script.status !== undefined && script.status >= 400) {
    const retryAfter = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
    const errBody = script.errorBody ?? wire.errorForStatus(script.status, { model, requestId, promptTokens: inputTokens, retryAfterSeconds: retryAfter ?? 1 });
    return fail(script.status, errBody, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {});
  }

  const calls = plan.toolCalls.length;
  const meta: rwire.ResponseMeta = {
    id: rwire.newResponseId(),
    createdAt: Math.floor(Date.now() / 1000),
    model,
    itemIds: calls > 0 ? plan.toolCalls.map(() => rwire.newFunctionCallItemId()) : [rwire.newMessageItemId()],
    callIds: plan.toolCalls.map(() => wire.newToolCallId()),
  };
  const u = script.omitUsage ? null : rwire.usage(inputTokens, plan.completionTokens, script.cachedTokens ?? 0, script.reasoningTokens ?? 0);
  const status = plan.finishReason === 'length' ? 'incomplete' : 'completed';
  const headers = d.headers(ctx, requestId, inputTokens + plan.completionTokens, false);
  const interval = interTokenMs(script);
  const deltas = calls > 0 ? plan.toolCalls.reduce((n, c) => n + c.argPieces.length, 0) : plan.pieces.length;

  if (body.stream !== true) {
    // Connection reset before any byte of the answer.
    if (script.cutAfterTokens !== undefined) return void ctx.res.destroy();
    if (!(await pacer.at(ttft + Math.max(0, deltas - 1) * interval))) return;
    return sendJson(ctx.res, 200, rwire.response(meta, body, status, rwire.outputItems(meta, plan, status), u), headers);
  }
  await streamResponse(ctx.res, pacer, { meta, body, plan, status, usage: u, ttft, interval, cut: script.cutAfterTokens, headers });
}

interface StreamInput {
  meta: rwire.ResponseMeta;
  body: Body;
  plan: AnswerPlan;
  status: 'completed' | 'incomplete';
  usage: rwire.ResponseUsage | null;
  ttft: number;
  interval: number;
  cut: number | undefined;
  headers: Record<string, string>;
}

/** Events as they go out: each delta is paced (one token), the events around it go with the next one. */
type Step = { type: string; payload: Record<string, unknown>; paced: boolean };

function streamSteps(s: StreamInput): Step[] {
  const { meta, plan, body } = s;
  const steps: Step[] = [];
  const add = (type: string, payload: Record<string, unknown>, paced = false) => steps.push({ type, payload, paced });
  const started = rwire.response(meta, body, 'in_progress', [], null);
  add('response.created', { response: started });
  add('response.in_progress', { response: started });
  const pending = rwire.outputItems(meta, plan, 'in_progress');
  const done = rwire.outputItems(meta, plan, s.status);
  if (plan.toolCalls.length > 0) {
    plan.toolCalls.forEach((call, i) => {
      const itemId = meta.itemIds[i];
      add('response.output_item.added', { output_index: i, item: pending[i] });
      for (const piece of call.argPieces) add('response.function_call_arguments.delta', { item_id: itemId, output_index: i, delta: piece }, true);
      add('response.function_call_arguments.done', { item_id: itemId, output_index: i, name: call.name, arguments: call.arguments });
      add('response.output_item.done', { output_index: i, item: done[i] });
    });
  } else {
    const itemId = meta.itemIds[0];
    const text = plan.pieces.join('');
    add('response.output_item.added', { output_index: 0, item: pending[0] });
    add('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: rwire.outputText('') });
    for (const piece of plan.pieces)
      add('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece, logprobs: [] }, true);
    add('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] });
    add('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: rwire.outputText(text) });
    add('response.output_item.done', { output_index: 0, item: done[0] });
  }
  const ending = s.status === 'completed' ? 'response.completed' : 'response.incomplete';
  add(ending, { response: rwire.response(meta, body, s.status, done, s.usage) });
  return steps;
}

async function streamResponse(res: ServerResponse, pacer: Pacer, s: StreamInput): Promise<void> {
  res.writeHead(200, { ...s.headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let sequence = 0;
  let paced = 0;
  for (const step of streamSteps(s)) {
    if (step.paced) {
      if (s.cut !== undefined && paced >= s.cut) return void res.destroy();
      if (!(await pacer.at(s.ttft + paced * s.interval))) return;
      paced++;
    }
    if (!(await writeFlushed(res, rwire.event(step.type, sequence++, step.payload)))) return;
  }
  res.end();
}
