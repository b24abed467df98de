/**
 * Operator-supplied patterns (Kong ai-prompt-guard's allow/deny lists) compiled for V8's linear-time
 * regex engine: the `l` flag, enabled by `--enable-experimental-regexp-engine`, matches by
 * automaton simulation, never backtracking, so no pattern can take more than time linear in the
 * text. The engine refuses what it cannot run linearly (backreferences, lookaround, the `i` and `u`
 * flags, counted repetition above 16); such a pattern is refused at configuration time with the
 * reason, never run on the backtracking engine. No re2 binding is installed in this project, and
 * this needs none.
 *
 * PCRE spellings operators copy from Kong's docs are translated: a leading `(?i)` (case-insensitive,
 * done by rewriting letters into both cases since the linear engine has no `i` flag), `\A` and
 * `\z`/`\Z` (anchors). POSIX classes (`[[:alpha:]]`), possessive quantifiers and atomic groups
 * are refused rather than silently meaning something else in JavaScript.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's flag for the linear engine; a variable, as a `/…/l` literal is a syntax error without the V8 flag. */
const LINEAR_FLAG = 'l';

let engineReady: boolean | undefined;

/** Turns the linear engine on once per process; false if this V8 no longer offers it. */
export function linearEngineAvailable(): boolean {
  if (engineReady === undefined) {
    try {
      new RegExp('a', LINEAR_FLAG);
      engineReady = true;
    } catch {
      setFlagsFromString('--enable-experimental-regexp-engine');
      try {
        new RegExp('a', LINEAR_FLAG);
        engineReady = true;
      } catch {
        engineReady = false;
      }
    }
  }
  return engineReady;
}

export class PatternError extends Error {}

/** Copies an escape sequence starting at `pattern[i] === '\\'`; returns its end. */
function escapeEnd(pattern: string, i: number): number {
  const next = pattern[i + 1];
  if (next === 'x') return i + 4;
  if (next === 'u') return pattern[i + 2] === '{' ? pattern.indexOf('}', i) + 1 || pattern.length : i + 6;
  if (next === 'c') return i + 3;
  if ((next === 'p' || next === 'P') && pattern[i + 2] === '{') return pattern.indexOf('}', i) + 1 || pattern.length;
  return i + 2;
}

const swapCase = (ch: string): string => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase());

/** `pattern` matching both cases of every ASCII letter outside escapes: `a` → `[aA]`, `[a-f]` → `[a-fA-F]`. */
export function caseInsensitive(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const end = escapeEnd(pattern, i);
      out += pattern.slice(i, end);
      i = end;
    } else if (ch === '[') {
      const negated = pattern[i + 1] === '^';
      let j = i + (negated ? 2 : 1);
      let body = '';
      let swapped = '';
      while (j < pattern.length && pattern[j] !== ']') {
        const end = pattern[j] === '\\' ? escapeEnd(pattern, j) : j + 1;
        const piece = pattern.slice(j, end);
        body += piece;
        swapped += piece.length === 1 ? swapCase(piece) : piece;
        j = end;
      }
      out += (negated ? '[^' : '[') + body + (swapped === body ? '' : swapped) + ']';
      i = j + 1;
    } else if (/[A-Za-z]/.test(ch) && !(out.endsWith('{') || /\(\?<?$/.test(out) || /\(\?<[A-Za-z0-9_]*$/.test(out))) {
      out += `[${ch}${swapCase(ch)}]`;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The PCRE spellings translated; throws PatternError for those JavaScript would misread. */
export function translatePcre(pattern: string): { source: string; ignoreCase: boolean } {
  if (/\[\[:[a-z]+:\]\]/.test(pattern)) throw new PatternError('POSIX character classes ([[:alpha:]]) are not supported; use [A-Za-z] and the like');
  if (/[*+?}]\+/.test(pattern) || pattern.includes('(?>')) throw new PatternError('possessive quantifiers and atomic groups are not supported');
  let source = pattern;
  let ignoreCase = false;
  if (source.startsWith('(?i)')) {
    ignoreCase = true;
    source = source.slice(4);
  }
  if (/\(\?[a-zA-Z]*\)/.test(source) || /\(\?[a-zA-Z-]+:/.test(source)) throw new PatternError('inline flags are supported only as a leading (?i)');
  source = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return { source, ignoreCase };
}

/**
 * A compiled operator pattern that tests a text in linear time. Throws PatternError naming why a
 * pattern is refused (invalid, or not linear-time).
 */
export function compileLinearPattern(pattern: string): RegExp {
  if (!linearEngineAvailable()) throw new PatternError('this Node.js has no linear-time regex engine (--enable-experimental-regexp-engine)');
  const { source, ignoreCase } = translatePcre(pattern);
  const linearSource = ignoreCase ? caseInsensitive(source) : source;
  try {
    return new RegExp(linearSource, LINEAR_FLAG);
  } catch (error) {
    throw new PatternError(`pattern refused: ${(error as Error).message}`);
  }
}
