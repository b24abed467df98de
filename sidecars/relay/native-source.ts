/**
 * A stream in the client's own format from a target that speaks it (native pass-through): every
 * event reaches the client as the provider wrote it, and the target's translator reads the same
 * events alongside — for content (when to commit), usage (the bill is settled before the final
 * event goes out), errors (retry or fail over before the first content), the cache assembler and
 * the text an estimate would count. Nothing the translator cannot express is lost: it only reads.
 * One event is changed: the one carrying the final usage gets the gateway's cost (`usage.cost`),
 * so it is held until the stream's end has settled the bill.
 */

import type { SseEvent } from '../../lib/sse';
import { SseParser } from '../../lib/sse';
import type { NativeAdapter, StreamStep, StreamTranslator } from './adapters/types';
import type { CompletionAssembler } from './completion-assembler';
import { readChunk, type SourceOutput, type StreamSource } from './stream-engine';
import type { TokenUsage } from './usage';

export function nativeSource(
  translator: StreamTranslator & { end?: () => StreamStep },
  native: Pick<NativeAdapter, 'costEvent'>,
  assembler?: CompletionAssembler,
): StreamSource {
  const parser = new SseParser();
  let usage: TokenUsage | null = null;
  let finished = false;
  let generated = '';
  /** The usage event, waiting for the end of the stream (the cost is known only once settled). */
  let held: SseEvent | null = null;
  const withCost = (event: SseEvent, cost: number | null): string => {
    try {
      return native.costEvent ? native.costEvent.withCost(event, cost) : event.raw;
    } catch {
      return event.raw; // the translator read it; should the cost not fit, the provider's bytes go as they are
    }
  };
  const none = (): SourceOutput => ({ items: [], content: false, done: false });
  /** One translated step; `event`: the one it read, which the client gets (null at the end of input). */
  const apply = (step: StreamStep, event: SseEvent | null, out: SourceOutput): void => {
    for (const translated of step.chunks) {
      assembler?.push(translated);
      const read = readChunk(translated);
      generated += read.generated;
      if (read.content) out.content = true;
    }
    if (step.usage) usage = step.usage;
    if (step.error) {
      // Reported in the client's format by the stream engine (or retried, before any content).
      out.error = step.error;
      return;
    }
    const raw = event?.raw ?? '';
    if (step.done && !finished) {
      finished = true;
      out.done = true;
      const final = usage;
      const carrier = held;
      held = null;
      out.items.push(
        final
          ? { type: 'usage', usage: final, render: (cost) => (carrier ? withCost(carrier, cost) : '') + raw }
          : { type: 'end', render: () => (carrier?.raw ?? '') + raw },
      );
      return;
    }
    if (held) out.items.push({ type: 'text', text: held.raw });
    held = null;
    if (!event) return;
    if (step.usage && native.costEvent?.carriesUsage(event)) held = event;
    else out.items.push({ type: 'text', text: raw });
  };
  return {
    generatedText: () => generated,
    push(chunk) {
      const out = none();
      for (const event of parser.push(chunk)) apply(translator.push(event), event, out);
      return out;
    },
    // A format without a terminator (Gemini's) ends at the end of input: its translator says whether it was complete.
    end() {
      const out = none();
      if (translator.end) apply(translator.end(), null, out);
      // A stream that stopped after its usage event without an end: the client still gets every byte.
      if (held) out.items.push({ type: 'text', text: held.raw });
      held = null;
      return out;
    },
  };
}
