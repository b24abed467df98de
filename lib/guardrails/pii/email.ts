import { codeAt, isAsciiAlnum } from '../text';
import type { Finding } from '../types';

// RFC 5321 limits: 64 for the local part, 253 for the domain; anchored on '@' so every character
// is looked at a bounded number of times whatever the input.
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const LOCAL_PUNCTUATION = new Set("._%+-'");

const isLocalChar = (code: number): boolean => isAsciiAlnum(code) || LOCAL_PUNCTUATION.has(String.fromCharCode(code));
const isDomainChar = (code: number): boolean => isAsciiAlnum(code) || code === 45 /* - */ || code === 46; /* . */

/** E-mail addresses: a local part, '@', a dotted domain ending in a letters-only TLD. */
export function findEmails(text: string): Finding[] {
  const found: Finding[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < MAX_LOCAL && isLocalChar(codeAt(text, start - 1))) start--;
    while (start < at && codeAt(text, start) === 46) start++; // a local part never starts with '.'
    if (start === at) continue;
    let end = at + 1;
    while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(codeAt(text, end))) end++;
    while (end > at + 1 && !isAsciiAlnum(codeAt(text, end - 1))) end--; // trailing '.' ends a sentence
    const domain = text.slice(at + 1, end);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (!domain.includes('.') || domain.includes('..') || !/^[A-Za-z]{2,24}$/.test(tld)) continue;
    found.push({ detector: 'pii', type: 'email', start, end });
  }
  return found;
}
