/**
 * Incremental Server-Sent Events parser. It keeps each event's raw text so a relay can pass
 * events through byte for byte while still reading them (usage, errors).
 */
export interface SseEvent {
  /** The event block exactly as received, including its terminating blank line. */
  raw: string;
  event?: string;
  /** `data:` lines joined with "\n"; undefined for comment-only blocks. */
  data?: string;
}

export class SseParser {
  /**
   * What arrived after the last complete event, as received: an event arriving in many chunks is
   * joined once, when it completes, and only each new chunk is searched, so time stays linear
   * however long the event (rescanning the whole buffer per chunk was quadratic).
   */
  private pending: string[] = [];
  private readonly decoder = new TextDecoder('utf-8');

  /** Feed a chunk; returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    // No event ends inside what is pending; one may end across its last 3 characters and this chunk.
    const carried = this.pending.slice(-3).join('').slice(-3);
    const first = findEventEnd(carried + text);
    if (first < 0) {
      if (text !== '') this.pending.push(text);
      return [];
    }
    let buffer = this.pending.join('') + text;
    this.pending = [];
    const events: SseEvent[] = [];
    for (let end = buffer.length - text.length - carried.length + first; end >= 0; end = findEventEnd(buffer)) {
      events.push(parseBlock(buffer.slice(0, end)));
      buffer = buffer.slice(end);
    }
    if (buffer !== '') this.pending.push(buffer);
    return events;
  }

  /** Whatever arrived after the last complete event (a stream cut mid-event). */
  rest(): string {
    return this.pending.join('') + this.decoder.decode();
  }
}

/** Index just past the blank line that ends the first event, or -1. */
function findEventEnd(text: string): number {
  const match = /\r\n\r\n|\n\n|\r\r/.exec(text);
  return match ? match.index + match[0].length : -1;
}

function parseBlock(raw: string): SseEvent {
  const out: SseEvent = { raw };
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') out.event = value;
  }
  if (data.length > 0) out.data = data.join('\n');
  return out;
}

export function sseData(json: unknown): string {
  return `data: ${JSON.stringify(json)}\n\n`;
}
