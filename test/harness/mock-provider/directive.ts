// The in-band directive `[[mock {...json MockScript...}]]` inside a prompt. It travels through
// any gateway untouched, so each request can carry its own behaviour (deterministic under
// concurrency). The directive text is removed before token counting and answer seeding.

import { validateScript } from './script';
import type { MockScript } from './types';

const OPEN = '[[mock';

export function mockDirective(script: MockScript): string {
  return `${OPEN} ${JSON.stringify(script)}]]`;
}

export interface DirectiveScan {
  /** The script, when a directive was found. */
  script?: MockScript;
  /** The text with the directive removed. */
  text: string;
  /** Set when a directive was found but could not be parsed. */
  error?: string;
}

/** Finds the first directive in `text`. A JSON object is matched by braces (strings honoured). */
export function extractDirective(text: string): DirectiveScan {
  const start = text.indexOf(OPEN);
  if (start < 0) return { text };
  let i = start + OPEN.length;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') return { text, error: 'mock directive: expected a JSON object after [[mock' };
  const jsonStart = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) break;
  }
  const jsonEnd = i + 1;
  let j = jsonEnd;
  while (j < text.length && /\s/.test(text[j])) j++;
  if (depth !== 0 || !text.startsWith(']]', j)) {
    return { text, error: 'mock directive: unterminated, expected [[mock {...}]]' };
  }
  try {
    const script = validateScript(JSON.parse(text.slice(jsonStart, jsonEnd)));
    return { script, text: text.slice(0, start) + text.slice(j + 2) };
  } catch (e) {
    return { text, error: `mock directive: ${(e as Error).message}` };
  }
}

/**
 * Scans the text parts of one message (the last user message) for the first directive and
 * returns the texts with it removed. Shared by the dialects whose messages are lists of parts.
 */
export function extractFromTexts(texts: string[]): { script?: MockScript; texts: string[]; error?: string } {
  const out = [...texts];
  for (let i = 0; i < out.length; i++) {
    const scan = extractDirective(out[i]);
    if (scan.error) return { texts, error: scan.error };
    if (scan.script) {
      out[i] = scan.text;
      return { script: scan.script, texts: out };
    }
  }
  return { texts: out };
}
