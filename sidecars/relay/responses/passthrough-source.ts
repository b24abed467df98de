/**
 * A Responses API stream from a target that serves it (OpenAI), passed to a /v1/responses client
 * event by event, byte for byte. Only the events that end the answer are parsed: usage (and the
 * final response, kept for a continuation) from response.completed or response.incomplete, which
 * reaches the client with the gateway's cost in `usage.cost`; response.failed and error events
 * are failures (before the first delta the relay fails over unseen). Deltas mark the answer's
 * beginning: until the first one, the stream is held.
 */
import { SseParser } from '../../../lib/sse';
import { continuing, responsesOutputText, responsesUsage } from '../adapters/openai';
import type { SourceOutput, StreamSource } from '../stream-engine';

const ENDINGS = new Set(['response.completed', 'response.incomplete']);
const FAILURES = new Set(['response.failed', 'error']);
/** Events before the answer that carry the response object (named anew for a continuation). */
const OPENINGS = new Set(['response.created', 'response.in_progress', 'response.queued']);
/** The type leads OpenAI's event data; the `event:` line names it too. */
const TYPE = /"type"\s*:\s*"([^"]{1,128})"/;

function empty(): SourceOutput {
  return { items: [], content: false, done: false };
}

/** `continues`: the gateway's previous_response_id, which the provider never saw; the response objects name it. */
export function responsesPassthroughSource(continues: string | null = null): StreamSource {
  const parser = new SseParser();
  let final: Record<string, unknown> | null = null;
  // Raw delta events, parsed only if the provider never reports usage.
  const deltas: string[] = [];
  return {
    generatedText: () => (final ? responsesOutputText(final) : deltas.map(deltaText).join('')),
    answer: () => final,
    push(chunk) {
      const out = empty();
      for (const event of parser.push(chunk)) {
        const type = event.event ?? (event.data !== undefined ? TYPE.exec(event.data)?.[1] : undefined);
        if (event.data === undefined || type === undefined || !(ENDINGS.has(type) || FAILURES.has(type))) {
          if (event.data !== undefined && type?.endsWith('.delta')) {
            out.content = true;
            deltas.push(event.data);
          }
          const opening = continues !== null && type !== undefined && OPENINGS.has(type) ? parse(event.data ?? '') : null;
          out.items.push({ type: 'text', text: opening ? rendered(type!, withResponse(opening, continues!)) : event.raw });
          continue;
        }
        const data = parse(event.data);
        if (FAILURES.has(type)) {
          out.error = { status: 502, message: failureMessage(data) };
          continue;
        }
        const ending = data && continues !== null ? withResponse(data, continues) : data;
        final = (ending?.response as Record<string, unknown> | undefined) ?? null;
        out.done = true;
        const usage = responsesUsage(final);
        if (usage && ending) out.items.push({ type: 'usage', usage, render: (cost) => withCost(type, ending, cost) });
        else out.items.push({ type: 'end', render: () => (ending ? rendered(type, ending) : event.raw) });
      }
      return out;
    },
    end: empty,
  };
}

function parse(data: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(data) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A delta event's text (its `delta` string). */
function deltaText(data: string): string {
  const delta = parse(data)?.delta;
  return typeof delta === 'string' ? delta : '';
}

function failureMessage(data: Record<string, unknown> | null): string {
  const error = (data?.response as { error?: { message?: unknown } } | undefined)?.error ?? data;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : 'the provider reported an error mid-stream';
}

/** The ending event with the gateway's cost in its usage, as the chat pass-through adds `usage.cost`. */
function withCost(type: string, data: Record<string, unknown>, costUsd: number | null): string {
  const response = data.response as { usage: Record<string, unknown> };
  return rendered(type, { ...data, response: { ...response, usage: { ...response.usage, cost: costUsd } } });
}

/** An event whose response object names the response it continued. */
function withResponse(data: Record<string, unknown>, continues: string): Record<string, unknown> {
  return { ...data, response: continuing(data.response, continues) };
}

function rendered(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
