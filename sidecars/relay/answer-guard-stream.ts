/**
 * The answer's guard on a stream, over the events the client is about to get (every source's
 * output, in the client's format): each text delta goes through the stream scanner (a window
 * across chunk boundaries) and, so that a secret never reaches the client even in part, the tail
 * that could still grow into one is held back (the scanner's overlap: the last 128 characters,
 * stretched to the start of the unfinished word, at most 512) and released with the next delta or
 * before the next event that is not text. Then placeholders are restored. A block ends the stream
 * with the client format's error event (stream-engine.ts). Work per delta is linear in overlap + delta.
 */
import type { GatewayError } from '../../lib/errors';
import {
  createStreamRestorer,
  createStreamScanner,
  type Finding,
  STREAM_OVERLAP_DEFAULTS,
  type StreamRestorer,
  type StreamScanner,
} from '../../lib/guardrails';
import type { Endpoint } from '../../lib/plan';
import { SseParser } from '../../lib/sse';
import { type AnswerGuard, answerBlocked, guardAnswer, QUIET_SINK, redactAnswer } from './answer-guard';

export interface StreamGuard {
  /** Whole SSE events → what to write now, or the refusal that ends the stream. */
  push(events: string): { text: string } | { blocked: GatewayError };
  /** Everything still held, as text events: before the stream's usage or end. */
  flush(): string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the last unfinished word may start: held back until more text decides it. */
export function holdFrom(text: string): number {
  const { context, maxOverlap } = STREAM_OVERLAP_DEFAULTS;
  let cut = Math.max(0, text.length - context);
  const limit = Math.max(0, text.length - maxOverlap);
  while (cut > limit && !/\s/.test(text[cut - 1]!)) cut--;
  return cut;
}

/** One text stream (a choice, a content block): scanned, held, redacted, restored. */
class HeldText {
  private pending = '';
  private pendingStart = 0;
  private redactions: Finding[] = [];
  private readonly scanner: StreamScanner | null;
  private readonly restorer: StreamRestorer | null;

  /** `json`: a tool call's arguments, where a restored value lands inside a JSON string and is escaped there. */
  constructor(
    private readonly guard: AnswerGuard,
    json = false,
  ) {
    this.scanner = guard.action ? createStreamScanner(guard.detectors) : null;
    this.restorer = guard.restorations.size > 0 ? createStreamRestorer(json ? jsonEscaped(guard.restorations) : guard.restorations) : null;
  }

  push(delta: string, last: boolean): { text: string } | { blocked: Finding } {
    if (this.scanner) {
      const started = performance.now();
      const findings = this.scanner.push(delta);
      this.guard.sink.scanned('response', (performance.now() - started) / 1000);
      for (const f of findings) {
        this.guard.sink.event(f.detector, f.type, this.guard.action!, 'response');
        if (this.guard.action === 'block') return { blocked: f };
        if (this.guard.action === 'redact') this.redactions.push(f);
      }
    }
    this.pending += delta;
    let cut = last || !this.scanner ? this.pending.length : holdFrom(this.pending);
    // Never release half a finding: its redaction must cover it whole.
    for (const r of this.redactions) if (r.start - this.pendingStart < cut && r.end - this.pendingStart > cut) cut = Math.max(0, r.start - this.pendingStart);
    return { text: this.release(cut, last) };
  }

  private release(cut: number, last: boolean): string {
    let out = this.pending.slice(0, cut);
    const inside = this.redactions
      .filter((r) => r.end > this.pendingStart && r.start < this.pendingStart + cut)
      .map((r) => ({ ...r, start: Math.max(0, r.start - this.pendingStart), end: Math.min(cut, r.end - this.pendingStart) }));
    if (inside.length > 0) out = redactAnswer(out, inside);
    this.pending = this.pending.slice(cut);
    this.pendingStart += cut;
    this.redactions = this.redactions.filter((r) => r.end > this.pendingStart);
    if (!this.restorer) return out;
    return this.restorer.push(out) + (last ? this.restorer.end() : '');
  }

  held(): boolean {
    return this.pending.length > 0;
  }
}

/** Each value as it reads inside a JSON string literal. */
function jsonEscaped(restorations: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...restorations].map(([placeholder, value]) => [placeholder, JSON.stringify(value).slice(1, -1)]));
}

/** How one client format carries text deltas in its stream events. */
interface TextEvent {
  key: string;
  text: string;
  /** A tool call's arguments (JSON text) rather than prose. */
  json?: true;
  /** The stream's text ends with this event (a finish reason in the same chunk). */
  last: boolean;
  write(text: string): void;
}

function textEvents(endpoint: Endpoint, event: string | undefined, data: Json): TextEvent[] | null {
  if (endpoint === 'messages') {
    if (event === 'ping' || data.type === 'ping') return [];
    const delta = data.delta;
    if (data.type === 'content_block_delta' && isObject(delta) && delta.type === 'text_delta' && typeof delta.text === 'string') {
      return [{ key: `b${String(data.index)}`, text: delta.text, last: false, write: (t) => (delta.text = t) }];
    }
    if (data.type === 'content_block_delta' && isObject(delta) && delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      return [{ key: `b${String(data.index)}`, text: delta.partial_json, json: true, last: false, write: (t) => (delta.partial_json = t) }];
    }
    return null;
  }
  if (endpoint === 'responses') {
    if (data.type === 'response.output_text.delta' && typeof data.delta === 'string') {
      return [{ key: `${String(data.item_id)}:${String(data.content_index)}`, text: data.delta, last: false, write: (t) => (data.delta = t) }];
    }
    if (data.type === 'response.function_call_arguments.delta' && typeof data.delta === 'string') {
      return [{ key: `${String(data.item_id)}:arguments`, text: data.delta, json: true, last: false, write: (t) => (data.delta = t) }];
    }
    return null;
  }
  if (endpoint === 'generateContent') {
    const out: TextEvent[] = [];
    const candidates = Array.isArray(data.candidates) ? data.candidates : [];
    for (const [c, candidate] of candidates.entries()) {
      const parts = isObject(candidate) && isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
      const last = isObject(candidate) && candidate.finishReason !== undefined && candidate.finishReason !== null;
      for (const part of parts) {
        if (isObject(part) && typeof part.text === 'string' && part.thought !== true)
          out.push({ key: `g${c}`, text: part.text, last, write: (t) => (part.text = t) });
      }
    }
    return out.length > 0 ? out : null;
  }
  // OpenAI chat chunks.
  const out: TextEvent[] = [];
  for (const choice of Array.isArray(data.choices) ? data.choices : []) {
    if (!isObject(choice) || !isObject(choice.delta)) continue;
    const delta = choice.delta;
    const last = choice.finish_reason !== undefined && choice.finish_reason !== null;
    if (typeof delta.content === 'string') out.push({ key: `c${String(choice.index)}`, text: delta.content, last, write: (t) => (delta.content = t) });
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const fn = isObject(call) ? call.function : undefined;
      if (!isObject(fn) || typeof fn.arguments !== 'string') continue;
      out.push({ key: `c${String(choice.index)}t${String(call.index)}`, text: fn.arguments, json: true, last, write: (t) => (fn.arguments = t) });
    }
  }
  return out.length > 0 ? out : null;
}

/** Events that repeat the whole text so far (Responses): guarded as a whole answer, as the deltas were. */
const AGGREGATES: ReadonlySet<unknown> = new Set([
  'response.output_text.done',
  'response.function_call_arguments.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
  'response.incomplete',
]);

/**
 * A copy of an event to carry one text stream's held tail at a flush: every other text in it
 * emptied, and a chat tool call's header (id, type, name: sent once, with its first delta) left
 * out, so the flushed event only adds the held text.
 */
function flushTemplate(endpoint: Endpoint, event: string | undefined, data: Json, key: string): Json {
  const copy = structuredClone(data);
  for (const other of textEvents(endpoint, event, copy) ?? []) if (other.key !== key) other.write('');
  for (const choice of Array.isArray(copy.choices) ? copy.choices : []) {
    if (!isObject(choice) || !isObject(choice.delta)) continue;
    delete choice.delta.role;
    for (const call of Array.isArray(choice.delta.tool_calls) ? choice.delta.tool_calls : []) {
      if (!isObject(call)) continue;
      delete call.id;
      delete call.type;
      if (isObject(call.function)) delete call.function.name;
    }
  }
  return copy;
}

const render = (event: string | undefined, data: Json): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

export function streamGuardOf(guard: AnswerGuard, endpoint: Endpoint): StreamGuard {
  const parser = new SseParser();
  const held = new Map<string, HeldText>();
  /** Each text stream's last event, to carry what is released at a flush. */
  const templates = new Map<string, { event: string | undefined; data: Json; write: (t: string) => void }>();
  const quiet: AnswerGuard = { ...guard, sink: QUIET_SINK };

  const flush = (): string => {
    let out = '';
    for (const [key, text] of held) {
      if (!text.held()) continue;
      const released = text.push('', true);
      const template = templates.get(key);
      if ('text' in released && released.text && template) {
        template.write(released.text);
        out += render(template.event, template.data);
      }
    }
    return out;
  };

  return {
    flush,
    push(events) {
      let out = '';
      for (const event of parser.push(events)) {
        if (event.data === undefined || event.data === '[DONE]') {
          out += (event.data === '[DONE]' ? flush() : '') + event.raw;
          continue;
        }
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          out += event.raw;
          continue;
        }
        if (!isObject(data)) {
          out += event.raw;
          continue;
        }
        const texts = textEvents(endpoint, event.event, data);
        if (texts === null) {
          out += flush();
          // Responses' aggregates repeat the text so far; Google's function calls come whole in a chunk.
          if ((endpoint === 'responses' && AGGREGATES.has(data.type)) || endpoint === 'generateContent') {
            const whole = guardAnswer(quiet, data);
            if (!whole.ok) return { blocked: answerBlocked(whole.blocked) };
            out += render(event.event, whole.body as Json);
          } else out += event.raw;
          continue;
        }
        for (const t of texts) {
          let text = held.get(t.key);
          if (!text) {
            text = new HeldText(guard, t.json === true);
            held.set(t.key, text);
          }
          const released = text.push(t.text, t.last);
          if ('blocked' in released) return { blocked: answerBlocked(released.blocked) };
          t.write(released.text);
          templates.set(t.key, { event: event.event, data: flushTemplate(endpoint, event.event, data, t.key), write: () => undefined });
        }
        out += texts.length > 0 ? render(event.event, data) : event.raw;
        // The template's writer points into its own copy: the text stream's field in the clone.
        for (const t of texts) {
          const template = templates.get(t.key)!;
          const again = textEvents(endpoint, template.event, template.data)?.find((x) => x.key === t.key);
          if (again) template.write = again.write;
        }
      }
      return { text: out };
    },
  };
}
