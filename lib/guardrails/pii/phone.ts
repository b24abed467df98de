import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { codeAt, isAsciiLetter, isDigit } from '../text';
import type { Finding } from '../types';

const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
/** Characters a written phone number is made of; a candidate is a maximal run of them. */
const PHONE_CHARS = new Set('0123456789+()-./ \u00a0');
/** Numbers right after these words are references, not phone numbers. */
const REFERENCE_BEFORE = /(?:order|invoice|ticket|tracking|ref(?:erence)?|account|acct|case|isbn|po|sku|serial|no\.|id|#)[\s:#.]*$/i;

/**
 * The library's answers for recent candidates: the stream scanner reads each candidate once per
 * overlapping window, and the library is the costly part. Bounded: oldest entries leave first.
 */
const CACHE_SIZE = 256;
/**
 * At most this many candidates go to the library per text (about 25 µs each): text built of
 * phone-like digit runs costs at most ~50 ms, and past the budget numbers are not looked for.
 */
export const MAX_PHONE_CANDIDATES = 2000;
type PhoneCache = Map<string, boolean>;

function isValidPhone(cache: PhoneCache, candidate: string, country: CountryCode | undefined): boolean {
  let valid = cache.get(candidate);
  if (valid === undefined) {
    valid = parsePhoneNumberFromString(candidate, country)?.isValid() ?? false;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(candidate, valid);
  }
  return valid;
}

export interface PhoneOptions {
  /** The country a number without a `+` prefix is read in (ISO 3166 alpha-2). */
  defaultCountry?: CountryCode;
}

/**
 * Phone numbers, validated by libphonenumber-js (full metadata: a number must be a valid number
 * of its country, not merely possible). The library only ever parses short candidates, maximal
 * runs of phone characters holding 7–15 digits (its own findPhoneNumbersInText scans the whole
 * text with regexes and costs about twice as much per number): prose costs one pass, and the
 * library a bounded amount per candidate.
 */
export function phoneFinder(options: PhoneOptions = {}): (text: string) => Finding[] {
  const cache: PhoneCache = new Map();
  return (text) => findPhones(text, options, cache);
}

export function findPhones(text: string, options: PhoneOptions = {}, cache: PhoneCache = new Map()): Finding[] {
  const found: Finding[] = [];
  let candidates = 0;
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
    // Part of an identifier such as `INV-2024-000123` or `build_20240517`: not a phone number.
    const gluedBefore = /[-_/]/.test(text[i - 1] ?? '') && /[A-Za-z0-9]/.test(text[i - 2] ?? '');
    if (
      !gluedBefore &&
      candidates < MAX_PHONE_CANDIDATES &&
      digits >= MIN_DIGITS &&
      digits <= MAX_DIGITS &&
      !isAsciiLetter(codeAt(text, end)) &&
      !REFERENCE_BEFORE.test(text.slice(Math.max(0, i - 16), i))
    ) {
      candidates++;
      if (isValidPhone(cache, text.slice(i, end), options.defaultCountry)) found.push({ detector: 'pii', type: 'phone', start: i, end });
    }
    i = Math.max(end, i + 1);
  }
  return found;
}
