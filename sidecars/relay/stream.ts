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

export async function relayStream(
  upstream: Dispatcher.ResponseData,
  res: ServerResponse,
  intent: ClientIntent,
  extraHeaders: Record<string, string>,
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
        if (action.usage) result.usage = action.usage;
        if (action.kind === 'pass') {
          out += event.raw;
          if (action.done) sawDone = true;
        } else if (action.kind === 'replace') {
          out += sseData(JSON.parse(action.data));
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
