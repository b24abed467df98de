/**
 * Streams an upstream SSE answer to the client. Output is HELD until the first content token:
 * a failure before it (error event, cut, timeout) is reported back so the relay can retry or
 * fail over without the client seeing anything; after it, a failure ends the stream with an
 * explicit error event in the client's format, never a silent truncated 200. Once committed,
 * each upstream chunk is forwarded as soon as its events are complete.
 */
import type { ServerResponse } from 'node:http';
import { type GatewayError, gatewayError } from '../../lib/errors';
import type { ChatCompletionChunk } from '../../lib/openai-types';
import { SseParser, sseData } from '../../lib/sse';
import { type GeneratedParts, generatedText } from '../../lib/tokens';
import { type ClientIntent, processStreamData } from './adapters/openai/passthrough';
import type { MappedError, StreamTranslator } from './adapters/types';
import type { StreamGuard } from './answer-guard-stream';
import type { StreamEncoder } from './client-formats/client-format';
import type { CompletionAssembler } from './completion-assembler';
import { writeWithBackpressure } from './respond';
import type { FailureKind } from './retry-policy';
import type { TokenUsage, UsageOutcome } from './usage';
import { openAIUsage } from './usage';

/**
 * Text for the client; the point where the provider's usage is known and the bill must be settled
 * first; or the normal end of a stream that carried no usage, which the relay must estimate.
 */
export type StreamItem =
  | { type: 'text'; text: string }
  | { type: 'usage'; usage: TokenUsage; render: (costUsd: number | null) => string }
  | { type: 'end'; render: (usage: TokenUsage, costUsd: number | null) => string };

export interface SourceOutput {
  items: StreamItem[];
  /** Answer content (text, tool call, reasoning) has appeared. */
  content: boolean;
  /** The provider signalled a normal end. */
  done: boolean;
  /**
   * The provider reported an error in its stream: the error it stands for when the adapter
   * classified it (translated streams), else only its message (pass-through streams).
   */
  error?: MappedError | { message: string };
  /** The provider refused to answer (a blocked prompt), with the usage it reported. */
  refused?: Refusal;
}

/** An answer the provider refused to give: the error the client gets instead, and what it reported using. */
export interface Refusal {
  error: MappedError;
  usage: TokenUsage | null;
}

export interface StreamSource {
  push(chunk: Uint8Array): SourceOutput;
  /** At end of input: what a translator still has to say (some providers have no terminator). */
  end(): SourceOutput;
  /** Everything generated so far (content, reasoning, tool calls), for estimating missing usage. */
  generatedText(): string;
  /** The whole answer as the provider ended it, where the source reads it (Responses: the final response object). */
  answer?(): unknown;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx (Kong) not to buffer this response.
  'x-accel-buffering': 'no',
};

const CONTENT = /"(content|reasoning_content)":"(?!")|"tool_calls":\[/;

function empty(): SourceOutput {
  return { items: [], content: false, done: false };
}

/** OpenAI client, OpenAI-compatible provider: events pass byte for byte; only usage is touched. */
export function passthroughSource(intent: ClientIntent, assembler?: CompletionAssembler): StreamSource {
  const parser = new SseParser();
  // Raw content events, parsed only if the provider never reports usage.
  const contentEvents: string[] = [];
  let usageSeen = false;
  return {
    generatedText: () => contentEvents.map(deltaText).join(''),
    push(chunk) {
      const out = empty();
      for (const event of parser.push(chunk)) {
        if (event.data === undefined) {
          out.items.push({ type: 'text', text: event.raw });
          continue;
        }
        assembler?.pushData(event.data);
        const action = processStreamData(event.data, intent);
        if (action.kind === 'pass' && action.error) {
          out.error = { message: errorMessage(event.data) };
          continue;
        }
        const isContent = CONTENT.test(event.data);
        if (isContent) contentEvents.push(event.data);
        if (action.usage) {
          usageSeen = true;
          const data = action.kind === 'replace' ? action.data : event.data;
          const usage = action.usage;
          out.items.push({ type: 'usage', usage, render: (cost) => (action.kind === 'drop' ? '' : `data: ${withCost(data, cost)}\n\n`) });
        } else if (action.kind === 'pass' && action.done && !usageSeen) {
          // No usage from the provider: the relay estimates it, and a client that asked gets it before [DONE].
          const last = contentEvents.at(-1);
          out.items.push({ type: 'end', render: (usage, cost) => (intent.wantsStreamUsage && last ? estimatedUsageChunk(last, usage, cost) : '') + event.raw });
        } else if (action.kind === 'pass') {
          out.items.push({ type: 'text', text: event.raw });
        }
        if (action.kind === 'pass' && action.done) out.done = true;
        if (isContent) out.content = true;
      }
      return out;
    },
    end: empty,
  };
}

/** The text a content chunk carries (content, reasoning, tool-call names and arguments). */
function deltaText(data: string): string {
  try {
    const chunk = JSON.parse(data) as { choices?: Array<{ delta?: GeneratedParts }> };
    return (chunk.choices ?? []).map((choice) => generatedText(choice.delta)).join('');
  } catch {
    return '';
  }
}

function estimatedUsageChunk(lastContent: string, usage: TokenUsage, costUsd: number | null): string {
  const template = JSON.parse(lastContent) as { id?: string; created?: number; model?: string };
  return sseData({
    id: template.id,
    object: 'chat.completion.chunk',
    created: template.created,
    model: template.model,
    choices: [],
    usage: openAIUsage(usage, costUsd),
  });
}

function errorMessage(data: string): string {
  try {
    const parsed = JSON.parse(data) as { error?: { message?: string } };
    return parsed.error?.message ?? 'the provider reported an error mid-stream';
  } catch {
    return 'the provider reported an error mid-stream';
  }
}

/** The usage the client sees carries the gateway's cost, as `usage.cost` in USD. */
function withCost(data: string, costUsd: number | null): string {
  const chunk = JSON.parse(data) as { usage?: Record<string, unknown> };
  if (chunk.usage) chunk.usage.cost = costUsd;
  return JSON.stringify(chunk);
}

/**
 * What a translated chunk means for the stream: the text an estimate would count, and whether it is
 * answer content (text, tool calls, reasoning), before which the output is held.
 */
export function readChunk(chunk: ChatCompletionChunk): { generated: string; content: boolean } {
  let generated = '';
  let content = false;
  for (const { delta } of chunk.choices) {
    generated += generatedText(delta);
    if (delta.content || delta.tool_calls?.length || delta.reasoning_content) content = true;
  }
  return { generated, content };
}

/** Any other pairing: the provider's events translated to canonical chunks, then encoded for the client. */
export function translatedSource(
  translator: StreamTranslator & { end?: () => ReturnType<StreamTranslator['push']> },
  encoder: StreamEncoder,
  assembler?: CompletionAssembler,
): StreamSource {
  const parser = new SseParser();
  let usage: TokenUsage | null = null;
  let finished = false;
  let generated = '';
  const apply = (step: ReturnType<StreamTranslator['push']>, out: SourceOutput): void => {
    // Before the chunks: a format that shows usage at the start takes the prompt side from it.
    const reported = step.promptUsage ?? step.usage;
    if (reported) encoder.reportedUsage?.(reported);
    for (const chunk of step.chunks) {
      assembler?.push(chunk);
      out.items.push({ type: 'text', text: encoder.chunk(chunk) });
      const read = readChunk(chunk);
      generated += read.generated;
      if (read.content) out.content = true;
    }
    if (step.usage) usage = step.usage;
    if (step.error) out.error = step.error;
    if (step.refused) out.refused = { error: step.refused, usage };
    if (step.done && !finished) {
      finished = true;
      out.done = true;
      const final = usage;
      if (final) out.items.push({ type: 'usage', usage: final, render: (cost) => encoder.finish(final, cost) });
      else out.items.push({ type: 'end', render: (estimated, cost) => encoder.finish(estimated, cost) });
    }
  };
  return {
    generatedText: () => generated,
    push(chunk) {
      const out = empty();
      for (const event of parser.push(chunk)) apply(translator.push(event), out);
      return out;
    },
    end() {
      const out = empty();
      if (translator.end) apply(translator.end(), out);
      return out;
    },
  };
}

export interface StreamIo {
  res: ServerResponse;
  headers: Record<string, string>;
  /** Settles the bill once usage is known; returns the cost in USD (null = unknown price). */
  settle(usage: TokenUsage): Promise<number | null>;
  /** Usage counted by the gateway from the generated text, when the provider reported none. */
  estimate(generatedText: string): TokenUsage;
  encoder: Pick<StreamEncoder, 'error'>;
  /** The answer's guardrails (answer-guard-stream.ts): what the client gets of each event, or the refusal that ends the stream. */
  guard?: StreamGuard | null;
}

/** Why a stream failed before its end: what happened, the provider's own error when its adapter classified it, and `refused` when the provider would not answer at all. */
export interface StreamFailure {
  kind: FailureKind;
  message: string;
  error?: MappedError;
  refused?: Refusal;
  /** The answer's guardrails withheld the rest: the stream ends with this error event, committed or not. */
  blocked?: GatewayError;
}

export type StreamResult =
  | { committed: false; failure: StreamFailure }
  | { committed: true; outcome: UsageOutcome; usage: TokenUsage | null; firstByteAt: number | null; interTokenMs?: number | null };

/** When content chunks arrived: a stream's inter-token latency is the mean gap between them. */
class ContentClock {
  private first: number | null = null;
  private last = 0;
  private chunks = 0;
  tick(now: number): void {
    this.first ??= now;
    this.last = now;
    this.chunks++;
  }
  /** Null with fewer than two content chunks: no gap to measure. */
  meanGapMs(): number | null {
    return this.first === null || this.chunks < 2 ? null : (this.last - this.first) / (this.chunks - 1);
  }
}

/** A provider's error after the answer began, as recorded: an overload (503: a 529, Anthropic's overloaded_error) says so. */
function interruptedBy(error: MappedError): UsageOutcome {
  return error.status === 503 ? 'upstream_overloaded' : 'stream_interrupted';
}

/** `body`: the provider's answer, decoded (upstream-body.ts). */
export async function runStream(body: AsyncIterable<Uint8Array>, source: StreamSource, io: StreamIo): Promise<StreamResult> {
  const { res } = io;
  let held = '';
  let committed = false;
  let usage: TokenUsage | null = null;
  let done = false;
  let firstByteAt: number | null = null;
  const clock = new ContentClock();

  // Output of one upstream chunk is written at once: one write, one packet, not one per event.
  let pending = '';
  const write = (text: string): void => {
    if (!text) return;
    if (committed) pending += text;
    else held += text;
  };
  const flush = async (): Promise<void> => {
    if (!pending) return;
    const text = pending;
    pending = '';
    firstByteAt ??= Date.now();
    const drained = writeWithBackpressure(res, text);
    if (drained) await drained;
  };
  const commit = (): void => {
    committed = true;
    res.writeHead(200, io.headers);
    res.flushHeaders();
    pending = held;
    held = '';
  };
  const consume = async (out: SourceOutput): Promise<StreamFailure | null> => {
    for (const item of out.items) {
      if (item.type === 'text') {
        const guarded = io.guard ? io.guard.push(item.text) : { text: item.text };
        if ('blocked' in guarded) return { kind: 'content_policy', message: guarded.blocked.message, blocked: guarded.blocked };
        write(guarded.text);
        continue;
      }
      // What the guard still holds goes out before the stream's usage and end.
      if (io.guard) write(io.guard.flush());
      if (item.type === 'usage') {
        usage = item.usage;
        write(item.render(await io.settle(item.usage)));
      } else {
        const estimated = io.estimate(source.generatedText());
        usage = estimated;
        write(item.render(estimated, await io.settle(estimated)));
      }
    }
    if (out.done) done = true;
    if (out.content) clock.tick(performance.now());
    if (out.refused) return { kind: out.refused.error.kind, message: out.refused.error.message, refused: out.refused };
    if (out.error)
      return 'kind' in out.error ? { kind: out.error.kind, message: out.error.message, error: out.error } : { kind: 'server', message: out.error.message };
    if (out.content && !committed) commit();
    await flush();
    return null;
  };
  /** The guardrails withheld the rest of the answer: an explicit error event, never a silent cut (the head goes out first if nothing has). */
  const withheld = (error: GatewayError): StreamResult => {
    if (!committed) commit();
    if (!res.destroyed) res.end(pending + io.encoder.error(error));
    return { committed: true, outcome: 'guardrail_blocked', usage, firstByteAt: firstByteAt ?? Date.now(), interTokenMs: clock.meanGapMs() };
  };
  /** The answer began: it ends with an error event, the provider's own error when it reported one. */
  const interrupted = (message: string, providerError?: MappedError): StreamResult => {
    if (!res.destroyed) res.end(pending + io.encoder.error(providerError ?? gatewayError(502, message, 'upstream_stream_interrupted')));
    return {
      committed: true,
      outcome: providerError ? interruptedBy(providerError) : 'stream_interrupted',
      usage,
      firstByteAt,
      interTokenMs: clock.meanGapMs(),
    };
  };

  try {
    for await (const chunk of body) {
      const failure = await consume(source.push(chunk as Buffer));
      if (failure?.blocked) return withheld(failure.blocked);
      if (failure) return committed ? interrupted(`The provider failed mid-answer: ${failure.message}`, failure.error) : { committed: false, failure };
      if (res.destroyed) return { committed: true, outcome: 'client_aborted', usage, firstByteAt, interTokenMs: clock.meanGapMs() };
    }
    const failure = await consume(source.end());
    if (failure?.blocked) return withheld(failure.blocked);
    if (failure) return committed ? interrupted(`The provider failed mid-answer: ${failure.message}`, failure.error) : { committed: false, failure };
  } catch (error) {
    if (res.destroyed && committed) return { committed: true, outcome: 'client_aborted', usage, firstByteAt, interTokenMs: clock.meanGapMs() };
    const message = (error as Error).message;
    if (!committed) return { committed: false, failure: { kind: 'stream_cut', message } };
    return interrupted(`The provider's stream failed mid-answer: ${message}`);
  }
  if (!done) {
    if (!committed) return { committed: false, failure: { kind: 'stream_cut', message: "the provider's stream ended before the answer began" } };
    return interrupted("The provider's stream ended before the answer was complete.");
  }
  if (io.guard) write(io.guard.flush());
  if (!committed) commit();
  await flush();
  res.end();
  return { committed: true, outcome: 'ok', usage, firstByteAt, interTokenMs: clock.meanGapMs() };
}
