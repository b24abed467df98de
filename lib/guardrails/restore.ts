/**
 * Puts redacted values back into a model's answer as it streams. A placeholder can arrive split
 * over chunks (`<EMA` + `IL_1>`), so a chunk's tail that could still become a placeholder is held
 * back until the next chunk decides it; at most MAX_PLACEHOLDER_LENGTH characters are ever held.
 * Placeholders the session did not make are passed through unchanged.
 */
import { MAX_PLACEHOLDER_LENGTH } from './redact';

const PLACEHOLDER = /<[A-Z0-9_]{1,40}_\d{1,6}>/g;
/** A tail that is a proper prefix of some placeholder: `<`, `<EMAIL`, `<EMAIL_1`. */
const PARTIAL_AT_END = /<[A-Z0-9_]{0,46}$/;

export interface StreamRestorer {
  /** The text that can be released after this chunk. */
  push(chunk: string): string;
  /** The held-back rest, at the end of the stream. */
  end(): string;
}

export function restorePlaceholders(text: string, restorations: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (placeholder) => restorations.get(placeholder) ?? placeholder);
}

export function createStreamRestorer(restorations: ReadonlyMap<string, string>): StreamRestorer {
  let held = '';
  return {
    push(chunk) {
      const text = held + chunk;
      // Only the last MAX_PLACEHOLDER_LENGTH characters can hold an unfinished placeholder.
      const tailStart = Math.max(0, text.length - MAX_PLACEHOLDER_LENGTH);
      const partial = PARTIAL_AT_END.exec(text.slice(tailStart));
      const cut = partial === null ? text.length : tailStart + partial.index;
      held = text.slice(cut);
      return restorePlaceholders(text.slice(0, cut), restorations);
    },
    end() {
      const rest = restorePlaceholders(held, restorations);
      held = '';
      return rest;
    },
  };
}
