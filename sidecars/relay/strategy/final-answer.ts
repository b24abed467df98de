/**
 * The one answer a cascade or strategy gives the client: the chosen completion in the client's
 * own format, its usage the sum of all inner calls, its cost the settled sum. A client that
 * asked to stream gets the completion replayed through its format's stream encoder (the same
 * encoders a translated stream uses). The route's answer guardrails read it first.
 */
import type { GatewayError } from '../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import { completionId } from '../adapters/types';
import type { RelayRequest } from '../admit';
import { answerBlocked, answerGuardOf, guardAnswer } from '../answer-guard';
import { openAIFormat } from '../client-formats/client-format';
import type { RelayDeps } from '../deps';
import { sendError, sendJson } from '../respond';
import { usageRecord } from '../settlement';
import { SSE_HEADERS } from '../stream-engine';
import type { TokenUsage, UsageOutcome } from '../usage';
import type { StrategyBill } from './bill';

type Headers = Record<string, string>;

/** Sends the chosen completion; `target`: the target that wrote it (the usage record's provider). */
export async function sendFinalAnswer(
  request: RelayRequest,
  deps: RelayDeps,
  bill: StrategyBill,
  chosen: { completion: ChatCompletion; target: PlanTarget },
  headers: Headers,
): Promise<void> {
  const costHeader = await bill.settle();
  const usage = bill.usage();
  const guarded = guardCompletion(request, chosen.completion);
  const allHeaders = { 'x-aigw-upstream-model': `${chosen.target.provider}/${chosen.target.model}`, ...headers, ...costHeader };
  if (!guarded.ok) {
    record(request, deps, bill, chosen.target, 422, 'guardrail_blocked', usage);
    return sendError(request.res, request.format.name, { ...guarded.error, headers: allHeaders });
  }
  const completion = guarded.completion;
  record(request, deps, bill, chosen.target, 200, 'ok', usage);
  if (!request.stream) return sendJson(request.res, 200, request.format.completion(completion, usage, bill.costUsd()), allHeaders);
  replayStream(request, completion, usage, bill.costUsd(), allHeaders);
}

/** Nothing worked: the last failure in the client's format, with what the calls cost. */
export async function sendFailure(request: RelayRequest, deps: RelayDeps, bill: StrategyBill, error: GatewayError, target: PlanTarget | null): Promise<void> {
  const costHeader = await bill.settle();
  const last = target ?? bill.calls.at(-1)?.target ?? request.plan.targets[0];
  record(request, deps, bill, last, error.status, error.status === 499 ? 'client_aborted' : 'upstream_error', bill.usage());
  if (request.res.destroyed) return;
  sendError(request.res, request.format.name, { ...error, headers: { ...error.headers, ...costHeader } });
}

/** The request log's and metrics' one record of the client's request: the sum of its calls. */
function record(
  request: RelayRequest,
  deps: RelayDeps,
  bill: StrategyBill,
  target: PlanTarget,
  status: number,
  outcome: UsageOutcome,
  usage: TokenUsage,
): void {
  const entry = usageRecord(request, target, { status, outcome, usage, firstByteAt: Date.now(), costNano: bill.totalNano() });
  deps.usage.record({ ...entry, errorCode: null, cacheMiss: false, guardrailActions: request.guardActions?.summary() ?? null });
}

/** The answer guardrails over the completion (OpenAI-shaped): redacted text replaces the original, a block refuses it. */
function guardCompletion(request: RelayRequest, completion: ChatCompletion): { ok: true; completion: ChatCompletion } | { ok: false; error: GatewayError } {
  const guard = answerGuardOf(request.plan, request.guardSink);
  if (!guard) return { ok: true, completion };
  const guarded = guardAnswer(guard, openAIFormat.completion(completion, null, null));
  return guarded.ok ? { ok: true, completion: guarded.body as ChatCompletion } : { ok: false, error: answerBlocked(guarded.blocked) };
}

/** The whole completion as the client's stream: a role chunk, the content, the tool calls, the finish. */
function replayStream(request: RelayRequest, completion: ChatCompletion, usage: TokenUsage, costUsd: number | null, headers: Headers): void {
  const id = completionId(request.plan.requestId);
  const created = Math.floor(request.startedAt / 1000);
  const encoder = request.format.streamEncoder({
    id,
    model: completion.model,
    created,
    wantsUsage: request.wantsStreamUsage,
    promptTokens: () => usage.promptTokens,
  });
  encoder.reportedUsage?.(usage);
  const res = request.res;
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  for (const chunk of chunksOf(completion, id, created)) res.write(encoder.chunk(chunk));
  res.end(encoder.finish(usage, costUsd));
}

export function chunksOf(completion: ChatCompletion, id: string, created: number): ChatCompletionChunk[] {
  const message = completion.choices[0]?.message;
  const base = { id, object: 'chat.completion.chunk' as const, created, model: completion.model };
  const chunk = (
    delta: ChatCompletionChunk['choices'][0]['delta'],
    finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null,
  ): ChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks = [chunk({ role: 'assistant', content: '' })];
  if (message?.reasoning_content) chunks.push(chunk({ reasoning_content: message.reasoning_content }));
  if (message?.content) chunks.push(chunk({ content: message.content }));
  const calls = message?.tool_calls ?? [];
  if (calls.length > 0) chunks.push(chunk({ tool_calls: calls.map((call, index) => ({ index, id: call.id, type: 'function', function: call.function })) }));
  chunks.push(chunk({}, completion.choices[0]?.finish_reason ?? 'stop'));
  return chunks;
}
