/**
 * Lua patterns (used by Kong schema `match`, kong/db/schema/init.lua `value:match(pattern)`)
 * translated to JS regular expressions. Only the common subset is supported; anything else
 * (%b, %f, back-references, class complements inside sets) throws instead of guessing.
 */

const CLASSES: Record<string, string> = {
  a: 'A-Za-z',
  d: '0-9',
  l: 'a-z',
  s: '\\t\\n\\v\\f\\r ',
  u: 'A-Z',
  w: 'A-Za-z0-9',
  x: 'A-Fa-f0-9',
  p: '!-\\/:-@\\[-`{-~',
  c: '\\x00-\\x1f\\x7f',
  g: '!-~',
};

function escapeForSet(ch: string): string {
  return /[\\\][^-]/.test(ch) ? `\\${ch}` : ch;
}

function escapeLiteral(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

export class UnsupportedLuaPattern extends Error {}

/** Returns a RegExp that finds the same matches as Lua's `string.match(s, pattern)` (truthiness only). */
export function luaPatternToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  const n = pattern.length;
  if (pattern.startsWith('^')) {
    out += '^';
    i = 1;
  }
  // Each item: a single-char class (quantifiable) or a group paren.
  while (i < n) {
    const ch = pattern[i]!;
    let item: string | null = null; // single char class, can take a quantifier
    if (ch === '%') {
      const c = pattern[i + 1];
      if (c === undefined) throw new UnsupportedLuaPattern(`malformed pattern (ends with '%'): ${pattern}`);
      if (c === 'b' || c === 'f' || /[0-9]/.test(c)) {
        throw new UnsupportedLuaPattern(`Lua pattern item %${c} is not supported by the test ingress: ${pattern}`);
      }
      const cls = CLASSES[c.toLowerCase()];
      if (cls) item = c === c.toLowerCase() ? `[${cls}]` : `[^${cls}]`;
      else if (/[A-Za-z0-9]/.test(c)) throw new UnsupportedLuaPattern(`unknown Lua class %${c}: ${pattern}`);
      else item = escapeLiteral(c);
      i += 2;
    } else if (ch === '[') {
      let j = i + 1;
      let set = '[';
      if (pattern[j] === '^') {
        set += '^';
        j++;
      }
      let first = true;
      while (j < n && (pattern[j] !== ']' || first)) {
        const c = pattern[j]!;
        first = false;
        if (c === '%') {
          const e = pattern[j + 1];
          if (e === undefined) throw new UnsupportedLuaPattern(`malformed set: ${pattern}`);
          const cls = CLASSES[e.toLowerCase()];
          if (cls && e === e.toLowerCase()) set += cls;
          else if (cls) throw new UnsupportedLuaPattern(`complemented class %${e} inside a set is not supported: ${pattern}`);
          else if (/[A-Za-z0-9]/.test(e)) throw new UnsupportedLuaPattern(`unknown Lua class %${e}: ${pattern}`);
          else set += escapeForSet(e);
          j += 2;
        } else if (pattern[j + 1] === '-' && pattern[j + 2] !== undefined && pattern[j + 2] !== ']') {
          set += `${escapeForSet(c)}-${escapeForSet(pattern[j + 2]!)}`;
          j += 3;
        } else {
          set += escapeForSet(c);
          j++;
        }
      }
      if (j >= n) throw new UnsupportedLuaPattern(`malformed pattern (missing ']'): ${pattern}`);
      item = `${set}]`;
      i = j + 1;
    } else if (ch === '.') {
      item = '[\\s\\S]';
      i++;
    } else if (ch === '(') {
      // Position capture "()" always matches; plain captures only group.
      if (pattern[i + 1] === ')') {
        i += 2;
        continue;
      }
      out += '(?:';
      i++;
      continue;
    } else if (ch === ')') {
      out += ')';
      i++;
      continue;
    } else if (ch === '$' && i === n - 1) {
      out += '$';
      i++;
      continue;
    } else {
      item = escapeLiteral(ch);
      i++;
    }
    const q = pattern[i];
    if (q === '*' || q === '+' || q === '?') {
      out += item + q;
      i++;
    } else if (q === '-') {
      out += `${item}*?`;
      i++;
    } else {
      out += item;
    }
  }
  return new RegExp(out);
}
