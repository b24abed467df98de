/**
 * Step 3 of an attempt: the provider's reply, read as the attempt built it, decoded and bounded
 * (upstream-body.ts). An error reply is mapped to the failure it stands for (the client sees it
 * only if nothing else works), and so is an answer the provider refused to give (a blocked
 * prompt); a stream goes through the stream engine; a JSON answer is passed through or
 * translated. Every answer is charged and recorded (Settlement) before its end reaches the client.
 */
import type { Dispatcher } from 'undici';
import { gatewayError } from '../../lib/errors';
import type { Finding } from '../../lib/guardrails';
import type { ChatCompletion } from '../../lib/openai-types';
import type { PlanTarget } from '../../lib/plan';
import { completionText } from '../../lib/tokens';
import { continuing, responsesOutputText, responsesUsage, usageFromResponse } from './adapters/openai';
import { type ChatAdapter, completionId, type EmbeddingsAdapter, type MappedError, type TranslationContext } from './adapters/types';
import type { RelayRequest } from './admit';
import { answerBlocked, answerGuardOf, guardAnswer } from './answer-guard';
import { streamGuardOf } from './answer-guard-stream';
import type { Built, Reading } from './attempt';
import { type AttemptFailure, type AttemptOutcome, answered, failed, type Step } from './attempt-outcome';
import type { StreamEncoder } from './client-formats/client-format';
import { CompletionAssembler } from './completion-assembler';
import { nativeSource } from './native-source';
import { sendError, sendJson } from './respond';
import { responseToCompletion } from './responses/canonical-answer';
import { responsesPassthroughSource } from './responses/passthrough-source';
import { parseRetryAfter } from './retry-policy';
import type { Settlement } from './settlement';
import { passthroughSource, type Refusal, runStream, SSE_HEADERS, type StreamSource, translatedSource } from './stream-engine';
import { decodedBody, readAnswerText, readErrorText, UnreadableAnswer } from './upstream-body';
import { upstreamHeaders } from './upstream-headers';
import type { TokenUsage } from './usage';

type Headers = Record<string, string>;
type HeadersIn = Record<string, string | undefined>;

/** `maxResponseBytes`: the most the relay decodes of one answer (RELAY_MAX_RESPONSE_BYTES). */
export async function answer(
  request: RelayRequest,
  target: PlanTarget,
  built: Built,
  response: Dispatcher.ResponseData,
  settlement: Settlement,
  maxResponseBytes: number,
): Promise<AttemptOutcome> {
  const headersIn = flatHeaders(response.headers);
  const encoding = headersIn['content-encoding'];
  if (response.statusCode >= 400) {
    return failed(upstreamFailure(built.mapError(response.statusCode, await readErrorText(response.body, encoding), headersIn), headersIn));
  }
  const headers = { 'x-aigw-upstream-model': `${target.provider}/${target.model}`, ...upstreamHeaders(headersIn) };
  const { reading } = built;
  // A pass-through stream is one the provider really streamed; a translated one always is.
  const streamed = (headersIn['content-type'] ?? '').includes('text/event-stream') || reading.kind === 'translated';
  if (request.stream && reading.kind !== 'embeddings' && streamed) {
    const body = decodedBody(response.body, encoding, maxResponseBytes);
    return streamAnswer(request, target, reading, body, { headers, headersIn }, settlement);
  }
  const json = await readJson(response.body, encoding, maxResponseBytes, target);
  if (!json.ok) return json;
  if (reading.kind === 'embeddings') return embeddingsAnswer(request, target, reading.adapter, json.value, headers, settlement);
  if (reading.kind === 'native') return nativeJsonAnswer(request, target, reading.adapter, json.value, { headers, headersIn }, settlement);
  if (reading.kind === 'responses') return responsesAnswer(request, target, json.value, headers, settlement);
  return jsonAnswer(request, target, reading.kind === 'translated' ? reading.adapter : null, json.value, { headers, headersIn }, settlement);
}

/** The answer broke after its first byte went out: it ends here, billed for what the gateway can account for. */
export async function interruptedAnswer(request: RelayRequest, target: PlanTarget, settlement: Settlement): Promise<AttemptOutcome> {
  await settlement.charge(target, null, 'stream_interrupted');
  settlement.record(target, 200, 'stream_interrupted', null, null);
  request.res.destroy();
  return answered(null, null);
}

/** The provider's error, with its headers for the client; the retry delay is the one the adapter read (Retry-After, RetryInfo, retry-after-ms). */
export function upstreamFailure(mapped: MappedError, headersIn: HeadersIn): AttemptFailure {
  const { kind, ...error } = mapped;
  const retryAfterMs = parseRetryAfter(error.headers['retry-after'] ?? headersIn['retry-after']);
  return { kind, error: { ...error, headers: { ...upstreamHeaders(headersIn), ...error.headers } }, retryAfterMs, outcome: 'upstream_error' };
}

/** An answer the provider refused to give (a blocked prompt) fails like its error would, billed for what the provider reported. */
function refusalFailure(refused: Refusal, headersIn: HeadersIn): AttemptFailure {
  const failure = upstreamFailure(refused.error, headersIn);
  return refused.usage ? { ...failure, usage: refused.usage } : failure;
}

/** A whole answer, decoded and parsed; an answer the gateway cannot read or parse is the provider's fault (502). */
export async function readJson(
  body: Dispatcher.ResponseData['body'],
  encoding: string | undefined,
  maxBytes: number,
  target: PlanTarget,
): Promise<Step<{ text: string; parsed: unknown }>> {
  try {
    return parseJson(await readAnswerText(body, encoding, maxBytes), target);
  } catch (error) {
    if (!(error instanceof UnreadableAnswer)) throw error;
    return failed({
      kind: 'server',
      error: gatewayError(502, `The provider (${target.provider}) sent an answer the gateway cannot read: ${error.message}`, error.code),
      outcome: 'upstream_error',
    });
  }
}

function parseJson(text: string, target: PlanTarget): Step<{ text: string; parsed: unknown }> {
  try {
    return { ok: true, value: { text, parsed: JSON.parse(text) as unknown } };
  } catch {
    return failed({
      kind: 'server',
      error: gatewayError(502, `The provider (${target.provider}) sent a response that is not JSON.`, 'upstream_invalid_response'),
      outcome: 'upstream_error',
    });
  }
}

/** A complete answer: the provider's bytes (pass-through) or the adapter's translation in the client's format. */
async function jsonAnswer(
  request: RelayRequest,
  target: PlanTarget,
  adapter: ChatAdapter | null,
  json: { text: string; parsed: unknown },
  { headers, headersIn }: { headers: Headers; headersIn: HeadersIn },
  settlement: Settlement,
): Promise<AttemptOutcome> {
  if (!adapter) {
    // Pass-through answers are OpenAI chat completions already (embeddings never reach here).
    settlement.noteAnswer(json.parsed as ChatCompletion);
    const usage = usageFromResponse(json.parsed) ?? settlement.estimate(completionText(json.parsed as ChatCompletion));
    return sendAnswer(request, target, usage, () => json.text, headers, settlement);
  }
  const { completion, usage: reported, refused } = adapter.chatResponse(json.parsed, translationContext(request, target));
  if (refused) return failed(refusalFailure({ error: refused, usage: reported }, headersIn));
  settlement.noteAnswer(completion);
  const usage = reported ?? settlement.estimate(completionText(completion));
  return sendAnswer(request, target, usage, (costUsd) => request.format.completion(completion, usage, costUsd), headers, settlement);
}

/** The provider's own bytes in the client's own format, read by the target's adapter for usage and the cache. */
async function nativeJsonAnswer(
  request: RelayRequest,
  target: PlanTarget,
  adapter: ChatAdapter,
  json: { text: string; parsed: unknown },
  { headers, headersIn }: { headers: Headers; headersIn: HeadersIn },
  settlement: Settlement,
): Promise<AttemptOutcome> {
  const { completion, usage: reported, refused } = adapter.chatResponse(json.parsed, translationContext(request, target));
  if (refused) return failed(refusalFailure({ error: refused, usage: reported }, headersIn));
  settlement.noteAnswer(completion);
  const usage = reported ?? settlement.estimate(completionText(completion));
  return sendAnswer(request, target, usage, () => json.text, headers, settlement);
}

function translationContext(request: RelayRequest, target: PlanTarget): TranslationContext {
  return { model: target.model, requestId: request.plan.requestId, created: Math.floor(request.startedAt / 1000) };
}

/** OpenAI's own response object (pass-through): usage from it, kept as it is for a continuation. */
function responsesAnswer(
  request: RelayRequest,
  target: PlanTarget,
  json: { text: string; parsed: unknown },
  headers: Headers,
  settlement: Settlement,
): Promise<AttemptOutcome> {
  const usage = responsesUsage(json.parsed) ?? settlement.estimate(responsesOutputText(json.parsed));
  const completion = request.plan.cache ? responseToCompletion(json.parsed) : null;
  if (completion) settlement.noteAnswer(completion);
  // The provider never saw the gateway's previous_response_id: the answer names it as OpenAI's would.
  const answer = request.continues ? continuing(json.parsed, request.continues) : json.parsed;
  return sendAnswer(request, target, usage, () => (request.continues ? answer : json.text), headers, settlement, answer);
}

function embeddingsAnswer(
  request: RelayRequest,
  target: PlanTarget,
  adapter: EmbeddingsAdapter,
  json: { parsed: unknown },
  headers: Headers,
  settlement: Settlement,
): Promise<AttemptOutcome> {
  const translated = adapter.response(json.parsed, request.clientBody);
  return sendAnswer(request, target, translated.usage, () => translated.body, headers, settlement);
}

/**
 * Charged first, so the answer can carry its cost (x-gateway-cost, usage.cost); kept, when the
 * gateway keeps answers (`kept`: the answer as an object, when the body sent is its text); recorded; sent.
 */
async function sendAnswer(
  request: RelayRequest,
  target: PlanTarget,
  usage: TokenUsage | null,
  body: (costUsd: number | null) => unknown,
  headers: Headers,
  settlement: Settlement,
  kept?: unknown,
): Promise<AttemptOutcome> {
  const costHeader = await settlement.charge(target, usage, 'ok');
  let rendered = body(settlement.costUsd());
  // The route's guardrails read the answer before the client does (answer-guard.ts).
  const guard = answerGuardOf(request.plan, request.guardSink);
  if (guard) {
    const guarded = guardAnswer(guard, rendered);
    if (!guarded.ok) return withheldAnswer(request, target, usage, guarded.blocked, { ...headers, ...costHeader }, settlement);
    // Redacted, the answer is not the provider's: the cache must not keep the provider's version.
    if (guard.action === 'redact') settlement.forgetAnswer();
    rendered = guarded.body;
    kept = undefined;
  }
  await request.keeper?.keep(kept ?? rendered);
  const firstByteAt = Date.now();
  settlement.record(target, 200, 'ok', usage, firstByteAt);
  sendJson(request.res, 200, rendered, { ...headers, ...costHeader });
  return answered(firstByteAt, usage);
}

/** The provider's answer the guardrails withheld: 422 content_policy_violation in the client's format, billed (it was generated), never kept or cached. */
function withheldAnswer(
  request: RelayRequest,
  target: PlanTarget,
  usage: TokenUsage | null,
  blocked: Finding,
  headers: Headers,
  settlement: Settlement,
): AttemptOutcome {
  settlement.forgetAnswer();
  const error = answerBlocked(blocked);
  const firstByteAt = Date.now();
  settlement.record(target, error.status, 'guardrail_blocked', usage, firstByteAt, error.code);
  sendError(request.res, request.format.name, { ...error, headers });
  return answered(firstByteAt, usage);
}

async function streamAnswer(
  request: RelayRequest,
  target: PlanTarget,
  reading: Exclude<Reading, { kind: 'embeddings' }>,
  body: AsyncIterable<Uint8Array>,
  { headers, headersIn }: { headers: Headers; headersIn: HeadersIn },
  settlement: Settlement,
): Promise<AttemptOutcome> {
  const created = Math.floor(request.startedAt / 1000);
  const encoder = request.format.streamEncoder({
    id: completionId(request.plan.requestId),
    model: target.model,
    created,
    wantsUsage: request.wantsStreamUsage,
    promptTokens: () => settlement.promptTokensEstimate(),
  });
  // Only a request the cache will store pays for putting the stream back together.
  const assembler = request.plan.cache ? new CompletionAssembler() : undefined;
  const source = streamSource(request, target, reading, encoder, assembler);
  const result = await runStream(body, source, {
    res: request.res,
    headers: { ...SSE_HEADERS, ...headers },
    encoder,
    settle: async (usage) => {
      await settlement.charge(target, usage, 'ok');
      // Before the end reaches the client: a continuation sent the moment it has the end finds it.
      await request.keeper?.keep(source.answer?.() ?? encoder.answer?.());
      return settlement.costUsd();
    },
    estimate: (generatedText) => settlement.estimate(generatedText),
    guard: streamGuard(request),
  });
  if (!result.committed) {
    const { failure } = result;
    if (failure.refused) return failed(refusalFailure(failure.refused, headersIn));
    // The provider's own error before the answer began: the same failure as that error sent as an HTTP status.
    if (failure.error) return failed(upstreamFailure(failure.error, headersIn));
    return failed({
      kind: failure.kind,
      error: gatewayError(502, `The provider (${target.provider}) failed before answering: ${failure.message}`, 'upstream_stream_interrupted'),
      outcome: 'upstream_error',
    });
  }
  // Cut or abandoned mid-answer without usage from the provider: bill what it delivered,
  // counted by the gateway and marked estimated (never nothing, never the whole reservation).
  const usage = result.usage ?? settlement.estimate(source.generatedText());
  // A Responses pass-through is not assembled chunk by chunk: its final response is whole.
  const assembled = reading.kind === 'responses' ? assembler && responseToCompletion(source.answer?.()) : assembler?.completion();
  // An answer the guardrails changed or cut is not the cache's to keep.
  if (assembled && result.outcome === 'ok' && answerGuardOf(request.plan)?.action !== 'redact') settlement.noteAnswer(assembled);
  await settlement.charge(target, usage, result.outcome);
  settlement.noteInterToken(result.interTokenMs ?? null);
  settlement.record(target, 200, result.outcome, usage, result.firstByteAt);
  return answered(result.firstByteAt, usage);
}

function streamGuard(request: RelayRequest) {
  const guard = answerGuardOf(request.plan, request.guardSink);
  return guard ? streamGuardOf(guard, request.plan.endpoint) : null;
}

/** How the provider's stream is read: translated into the client's format, or passed through (chat, or Responses events). */
function streamSource(
  request: RelayRequest,
  target: PlanTarget,
  reading: Exclude<Reading, { kind: 'embeddings' }>,
  encoder: StreamEncoder,
  assembler: CompletionAssembler | undefined,
): StreamSource {
  if (reading.kind === 'translated') return translatedSource(reading.adapter.chatStream(translationContext(request, target)), encoder, assembler);
  if (reading.kind === 'native') return nativeSource(reading.adapter.chatStream(translationContext(request, target)), reading.native, assembler);
  if (reading.kind === 'responses') return responsesPassthroughSource(request.continues ?? null);
  return passthroughSource({ stream: true, wantsStreamUsage: request.wantsStreamUsage }, assembler);
}

export function flatHeaders(headers: Record<string, string | string[] | undefined>): HeadersIn {
  const out: HeadersIn = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value[0] : value;
  return out;
}
