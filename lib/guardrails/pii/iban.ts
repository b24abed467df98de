import { ibanChecksumValid } from '../checksums';
import { codeAt, isAsciiAlnum, isAsciiLetter, isDigit } from '../text';
import type { Finding } from '../types';

/** IBAN length per country (SWIFT's IBAN registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

const upper = (code: number): boolean => code >= 65 && code <= 90;

/**
 * IBANs: a known country code, two check digits, then exactly that country's length of letters
 * and digits, written plain or in groups split by single spaces, passing mod 97. Each candidate
 * reads at most a bounded number of characters, so the scan is linear.
 */
export function findIbans(text: string): Finding[] {
  const found: Finding[] = [];
  for (let i = 0; i + 4 <= text.length; i++) {
    const c0 = text.charCodeAt(i);
    if (!upper(c0) || !upper(text.charCodeAt(i + 1)) || !isDigit(text.charCodeAt(i + 2)) || !isDigit(text.charCodeAt(i + 3))) continue;
    if (isAsciiAlnum(codeAt(text, i - 1))) continue;
    const length = IBAN_LENGTHS[text.slice(i, i + 2)];
    if (length === undefined) continue;
    let compact = text.slice(i, i + 4);
    let j = i + 4;
    while (compact.length < length && j < text.length) {
      const code = text.charCodeAt(j);
      if (code === 32 && isAsciiAlnum(codeAt(text, j + 1)) && isAsciiAlnum(codeAt(text, j - 1))) j++;
      else if (isDigit(code) || upper(code)) {
        compact += text[j];
        j++;
      } else break;
    }
    if (compact.length !== length || isAsciiAlnum(codeAt(text, j)) || isAsciiLetter(codeAt(text, j)) || !ibanChecksumValid(compact)) continue;
    found.push({ detector: 'pii', type: 'iban', start: i, end: j });
    i = j - 1;
  }
  return found;
}
