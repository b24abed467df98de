import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';
import { codeAt, isAsciiLetter, isDigit } from '../text';
import type { Finding } from '../types';

const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
/** Characters a written phone number is made of; a candidate is a maximal run of them. */
const PHONE_CHARS = new Set('0123456789+()-./ \u00a0');
/** Numbers right after these words are references, not phone numbers. */
const REFERENCE_BEFORE = /(?:order|invoice|ticket|tracking|ref(?:erence)?|account|acct|case|isbn|po|sku|serial|no\.|id|#)[\s:#.]*$/i;

export interface PhoneOptions {
  /** The country a number without a `+` prefix is read in (ISO 3166 alpha-2). */
  defaultCountry?: CountryCode;
}

/**
 * Phone numbers, validated by libphonenumber-js (full metadata: a number must be a valid number
 * of its country, not merely possible). The library's own text scan runs regexes over the whole
 * text, so it only ever sees short candidate runs of phone characters holding 7–15 digits:
 * prose costs one pass and the library a bounded amount per candidate.
 */
export function findPhones(text: string, options: PhoneOptions = {}): Finding[] {
  const found: Finding[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!(isDigit(c) || c === 43 /* + */ || c === 40) /* ( */ || isDigit(codeAt(text, i - 1)) || isAsciiLetter(codeAt(text, i - 1))) {
      i++;
      continue;
    }
    let end = i;
    let digits = 0;
    while (end < text.length && PHONE_CHARS.has(text[end]!) && !(text[end] === ' ' && text[end + 1] === ' ')) {
      if (isDigit(text.charCodeAt(end))) digits++;
      end++;
      if (digits > MAX_DIGITS + 4) break;
    }
    while (end > i && !isDigit(text.charCodeAt(end - 1)) && text[end - 1] !== ')') end--;
    if (digits >= MIN_DIGITS && digits <= MAX_DIGITS && !isAsciiLetter(codeAt(text, end)) && !REFERENCE_BEFORE.test(text.slice(Math.max(0, i - 16), i))) {
      for (const hit of findPhoneNumbersInText(text.slice(i, end), options.defaultCountry)) {
        found.push({ detector: 'pii', type: 'phone', start: i + hit.startsAt, end: i + hit.endsAt });
      }
    }
    i = Math.max(end, i + 1);
  }
  return found;
}
