/**
 * Relays an SSE response chunk by chunk. Each upstream chunk is forwarded as soon as its events
 * are complete, so time to first byte does not grow with the answer's length.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { SseParser, sseData } from '../../lib/sse';
import { openAIError } from '../../lib/openai-error';
import { processStreamData, type ClientIntent } from './adapters/openai';
import { writeWithBackpressure } from './respond';
import type { TokenUsage, UsageOutcome } from './usage';

export interface StreamResult {
  outcome: UsageOutcome;
  usage: TokenUsage | null;
  firstByteAt: number | null;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx (Kong) not to buffer this response.
  'x-accel-buffering': 'no',
};

/** Settles the bill once the provider reports usage; returns the cost in USD (null = unknown price). */
export type UsageSettler = (usage: TokenUsage) => Promise<number | null>;

/** The usage chunk the client sees carries the gateway's cost, as `usage.cost` in USD. */
function withCost(data: string, costUsd: number | null): string {
  const chunk = JSON.parse(data) as { usage?: Record<string, unknown> };
  if (chunk.usage) chunk.usage.cost = costUsd;
  return JSON.stringify(chunk);
}

export async function relayStream(
  upstream: Dispatcher.ResponseData,
  res: ServerResponse,
  intent: ClientIntent,
  extraHeaders: Record<string, string>,
  settle: UsageSettler,
): Promise<StreamResult> {
  res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
  res.flushHeaders();
  const parser = new SseParser();
  const result: StreamResult = { outcome: 'ok', usage: null, firstByteAt: null };
  let sawDone = false;
  try {
    for await (const chunk of upstream.body) {
      let out = '';
      for (const event of parser.push(chunk as Buffer)) {
        if (event.data === undefined) {
          out += event.raw;
          continue;
        }
        const action = processStreamData(event.data, intent);
        let costUsd: number | null = null;
        if (action.usage) {
          result.usage = action.usage;
          // Settled before the client can see the end of the answer, so the bill is final first.
          costUsd = await settle(action.usage);
        }
        if (action.kind === 'pass') {
          out += action.usage ? `data: ${withCost(event.data, costUsd)}\n\n` : event.raw;
          if (action.done) sawDone = true;
        } else if (action.kind === 'replace') {
          out += `data: ${withCost(action.data, costUsd)}\n\n`;
        }
      }
      if (out) {
        result.firstByteAt ??= Date.now();
        const drained = writeWithBackpressure(res, out);
        if (drained) await drained;
      }
      if (res.destroyed) {
        result.outcome = 'client_aborted';
        return result;
      }
    }
  } catch (error) {
    if (res.destroyed) {
      result.outcome = 'client_aborted';
      return result;
    }
    return endWithStreamError(res, result, `The provider's stream failed mid-answer: ${(error as Error).message}`);
  }
  if (!sawDone) return endWithStreamError(res, result, "The provider's stream ended before the answer was complete.");
  res.end();
  return result;
}

/** Never a silent truncated 200: the client's SDK raises on an `error` event. */
function endWithStreamError(res: ServerResponse, result: StreamResult, message: string): StreamResult {
  result.outcome = 'stream_interrupted';
  if (!res.destroyed) res.end(sseData(openAIError(502, message, 'upstream_stream_interrupted')));
  return result;
}
