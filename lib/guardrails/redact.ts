/**
 * Redaction with placeholders such as `<EMAIL_1>`, `<PHONE_2>`: within one request the same value
 * always gets the same placeholder (so the model can still tell two people apart), and the map back
 * to the values is kept in memory only, for restoring the answer of that request (restore.ts).
 */
import { disjointFindings } from './findings';
import type { Finding } from './types';

/** Longest placeholder a session makes: the restorer holds back at most this many characters. */
export const MAX_PLACEHOLDER_LENGTH = 48;

export interface RedactionSession {
  /** `text` with every finding replaced; findings may overlap and come in any order. */
  redact(text: string, findings: readonly Finding[]): string;
  /** Placeholder → original value, for this request only. */
  readonly restorations: ReadonlyMap<string, string>;
}

/** The placeholder's label: the finding type in capitals, at most 32 characters of [A-Z0-9_]. */
export const placeholderLabel = (type: string): string =>
  type
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .slice(0, 32);

export function createRedactionSession(): RedactionSession {
  const byValue = new Map<string, string>();
  const restorations = new Map<string, string>();
  const counters = new Map<string, number>();
  const placeholderFor = (label: string, value: string): string => {
    const key = `${label}\u0000${value}`;
    let placeholder = byValue.get(key);
    if (placeholder === undefined) {
      const n = (counters.get(label) ?? 0) + 1;
      counters.set(label, n);
      placeholder = `<${label}_${n}>`;
      byValue.set(key, placeholder);
      restorations.set(placeholder, value);
    }
    return placeholder;
  };
  return {
    restorations,
    redact(text, findings) {
      const parts: string[] = [];
      let at = 0;
      for (const f of disjointFindings(findings)) {
        parts.push(text.slice(at, f.start), placeholderFor(placeholderLabel(f.type), text.slice(f.start, f.end)));
        at = f.end;
      }
      parts.push(text.slice(at));
      return parts.join('');
    },
  };
}
