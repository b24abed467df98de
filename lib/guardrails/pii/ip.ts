import { isIPv6 } from 'node:net';
import { codeAt, isDigit } from '../text';
import type { Finding } from '../types';

// Bounded quantifiers: from any start the engine reads at most 15 (v4) or 39 (v6) characters.
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f:]{3,39}(?![\w:])/g;

const octetsValid = (address: string): boolean => address.split('.').every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== '0'));

/** A version string (`v1.2.3.4`, `version 10.0.0.1`) is not an address. */
const VERSION_BEFORE = /(?:\bv|version\s?|build\s?)$/i;

/** IPv4 dotted quads (octets ≤ 255, no leading zeros, not inside a longer dotted number) and IPv6. */
export function findIpAddresses(text: string): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(IPV4)) {
    if (!octetsValid(m[0]) || VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 8), m.index))) continue;
    found.push({ detector: 'pii', type: 'ip_address', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(IPV6)) {
    const candidate = m[0];
    const groups = candidate.split(':').filter((g) => g.length > 0);
    // `::1`, C++'s `a::b` and bare hex words are not what a user leaks; require 3 groups and a digit.
    if (groups.length < 3 || !/\d/.test(candidate) || !isIPv6(candidate)) continue;
    if (isDigit(codeAt(text, m.index - 1))) continue;
    found.push({ detector: 'pii', type: 'ip_address', start: m.index, end: m.index + candidate.length });
  }
  return found;
}
