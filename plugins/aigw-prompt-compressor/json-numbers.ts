/**
 * Whether JSON.parse → JSON.stringify keeps every number of a body. The compressor rewrites the
 * body it parsed; a number with more significant digits than a double holds (an id such as
 * 12345678901234567890), or one outside its range, would reach the provider changed. One linear
 * scan over the raw text; strings are skipped.
 */
const MAX_EXACT_DIGITS = 15;

export function numbersSurviveJson(raw: string): boolean {
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < raw.length && /[0-9eE.+-]/.test(raw[end]!)) end++;
      if (!numberSurvives(raw.slice(i, end))) return false;
      i = end - 1;
    }
  }
  return true;
}

function numberSurvives(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  const mantissa = token.replace(/^-/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (value === 0) return digits.length === 0;
  return digits.length <= MAX_EXACT_DIGITS;
}
