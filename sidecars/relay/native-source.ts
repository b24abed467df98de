/**
 * A stream in the client's own format from a target that speaks it (native pass-through): every
 * event reaches the client as the provider wrote it, and the target's translator reads the same
 * events alongside — for content (when to commit), usage (the bill is settled before the final
 * event goes out), errors (retry or fail over before the first content), the cache assembler and
 * the text an estimate would count. Nothing the translator cannot express is lost: it only reads.
 */
import { SseParser } from '../../lib/sse';
import { generatedText } from '../../lib/tokens';
import type { StreamStep, StreamTranslator } from './adapters/types';
import type { CompletionAssembler } from './completion-assembler';
import type { SourceOutput, StreamSource } from './stream-engine';
import type { TokenUsage } from './usage';

export function nativeSource(translator: StreamTranslator & { end?: () => StreamStep }, assembler?: CompletionAssembler): StreamSource {
  const parser = new SseParser();
  let usage: TokenUsage | null = null;
  let finished = false;
  let generated = '';
  const none = (): SourceOutput => ({ items: [], content: false, done: false });
  /** One translated step; `raw`: the event it read, which the client gets (nothing at the end of input). */
  const apply = (step: StreamStep, raw: string, out: SourceOutput): void => {
    for (const translated of step.chunks) {
      assembler?.push(translated);
      for (const { delta } of translated.choices) {
        generated += generatedText(delta);
        if (delta.content || delta.tool_calls?.length || delta.reasoning_content) out.content = true;
      }
    }
    if (step.usage) usage = step.usage;
    if (step.error) {
      // Reported in the client's format by the stream engine (or retried, before any content).
      out.error = { status: step.error.status, message: step.error.message };
      return;
    }
    if (step.done && !finished) {
      finished = true;
      out.done = true;
      const final = usage;
      out.items.push(final ? { type: 'usage', usage: final, render: () => raw } : { type: 'end', render: () => raw });
      return;
    }
    if (raw) out.items.push({ type: 'text', text: raw });
  };
  return {
    generatedText: () => generated,
    push(chunk) {
      const out = none();
      for (const event of parser.push(chunk)) apply(translator.push(event), event.raw, out);
      return out;
    },
    // A format without a terminator (Gemini's) ends at the end of input: its translator says whether it was complete.
    end() {
      const out = none();
      if (translator.end) apply(translator.end(), '', out);
      return out;
    },
  };
}
