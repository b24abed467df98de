import { codeAt } from '../text';
import type { Finding } from '../types';

/** Characters a key's body may continue with once its prefix and minimum length matched. */
const BASE64URL = /[A-Za-z0-9_-]/;
const ALNUM = /[A-Za-z0-9]/;

interface KeyFormat {
  type: string;
  /** Matches the prefix and the minimum body only (so no start ever reads far); the body is then extended. */
  regex: RegExp;
  body: RegExp;
}

// Provider formats as the providers document them (lengths are minimums: formats grow).
const FORMATS: KeyFormat[] = [
  { type: 'anthropic_key', regex: /\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{32}/g, body: BASE64URL },
  { type: 'openai_key', regex: /\bsk-(?:proj-|svcacct-|admin-|None-)?(?!ant-)[A-Za-z0-9_-]{32}/g, body: BASE64URL },
  { type: 'google_api_key', regex: /\bAIza[0-9A-Za-z_-]{35}/g, body: BASE64URL },
  { type: 'aws_access_key', regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, body: /[A-Z0-9]/ },
  { type: 'github_token', regex: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}/g, body: ALNUM },
  { type: 'github_token', regex: /\bgithub_pat_[A-Za-z0-9_]{60}/g, body: /[A-Za-z0-9_]/ },
  { type: 'slack_token', regex: /\bxox[abposre]-[A-Za-z0-9-]{20}/g, body: /[A-Za-z0-9-]/ },
  { type: 'slack_webhook', regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20}/g, body: ALNUM },
  { type: 'stripe_key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20}/g, body: ALNUM },
  { type: 'huggingface_token', regex: /\bhf_[A-Za-z0-9]{34}/g, body: ALNUM },
];

/** An AWS secret access key: 40 base64 characters shortly after a cue naming it. */
const AWS_SECRET_CUE = /aws[ _-]?secret[ _-]?access[ _-]?key|secret[ _-]?access[ _-]?key|aws[ _-]?secret/gi;
const AWS_SECRET = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;
const AWS_SECRET_WINDOW = 48;

/** PEM private keys: the BEGIN line starts the finding; it ends at the END line, or at most this far. */
const PEM_BEGIN = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_MAX = 16_384;

/** Without an END line, the key runs over the base64 lines right after BEGIN (at most PEM_MAX). */
function pemBodyEnd(text: string, from: number): number {
  let end = from;
  const limit = Math.min(text.length, from + PEM_MAX);
  while (end < limit) {
    const lineStart = text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : text[end] === '\n' ? end + 1 : -1;
    if (lineStart < 0) break;
    let lineEnd = lineStart;
    while (lineEnd < limit && /[ \t]/.test(text[lineEnd]!)) lineEnd++; // indented blocks (YAML)
    const bodyStart = lineEnd;
    while (lineEnd < limit && /[A-Za-z0-9+/=]/.test(text[lineEnd]!)) lineEnd++;
    if (lineEnd - bodyStart < 16 || !/[\r\n]|^$/.test(text[lineEnd] ?? '')) break;
    end = lineEnd;
  }
  return end;
}

/** JWTs: three base64url parts (8+ characters each) whose header decodes to a JSON object naming `alg`. */
const JWT_MIN_PART = 8;
const JWT_MAX_HEADER = 1024;

function extend(text: string, end: number, body: RegExp): number {
  let i = end;
  while (i < text.length && body.test(text[i]!)) i++;
  return i;
}

/** JWTs, read run by run of base64url characters, so no character is read more than twice. */
function findJwts(text: string, found: Finding[]): void {
  let i = 0;
  while (i < text.length) {
    if (!BASE64URL.test(text[i]!)) {
      i++;
      continue;
    }
    const headerEnd = extend(text, i, BASE64URL);
    if (!text.startsWith('eyJ', i) || headerEnd - i < JWT_MIN_PART || codeAt(text, headerEnd) !== 46) {
      i = headerEnd;
      continue;
    }
    const payloadEnd = extend(text, headerEnd + 1, BASE64URL);
    const signatureEnd = codeAt(text, payloadEnd) === 46 ? extend(text, payloadEnd + 1, BASE64URL) : payloadEnd;
    const partsLong = payloadEnd - headerEnd > JWT_MIN_PART && signatureEnd - payloadEnd > JWT_MIN_PART;
    if (partsLong && codeAt(text, signatureEnd) !== 46 && jwtHeaderValid(text.slice(i, headerEnd))) {
      found.push({ detector: 'secrets', type: 'jwt', start: i, end: signatureEnd });
      i = signatureEnd;
    } else i = headerEnd;
  }
}

function jwtHeaderValid(header: string): boolean {
  if (header.length > JWT_MAX_HEADER) return false;
  try {
    const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof decoded === 'object' && decoded !== null && typeof decoded.alg === 'string';
  } catch {
    return false;
  }
}

/** Provider and cloud keys, private keys and JWTs, by their published formats. */
export function findKeyFormats(text: string): Finding[] {
  const found: Finding[] = [];
  for (const format of FORMATS) {
    const regex = format.regex;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const end = extend(text, m.index + m[0].length, format.body);
      // AWS's and others' documented placeholders (AKIAIOSFODNN7EXAMPLE) are not credentials.
      if (!text.slice(m.index, end).endsWith('EXAMPLE')) found.push({ detector: 'secrets', type: format.type, start: m.index, end });
      regex.lastIndex = end; // never re-read a body: linear however long the token
    }
  }
  for (const cue of text.matchAll(AWS_SECRET_CUE)) {
    const from = cue.index + cue[0].length;
    const m = AWS_SECRET.exec(text.slice(from, from + AWS_SECRET_WINDOW + 40));
    if (m !== null && m.index <= AWS_SECRET_WINDOW && /[0-9]/.test(m[0]) && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0])) {
      found.push({ detector: 'secrets', type: 'aws_secret_key', start: from + m.index, end: from + m.index + 40 });
    }
  }
  // Each END marker and its closing dashes are searched for once (markers only move forward).
  let endMarker = -1;
  let close = -1;
  let noMoreEnds = false;
  for (const m of text.matchAll(PEM_BEGIN)) {
    if (!noMoreEnds && endMarker < m.index) {
      endMarker = text.indexOf('-----END ', m.index);
      noMoreEnds = endMarker < 0;
      close = noMoreEnds ? -1 : text.indexOf('-----', endMarker + 9);
    }
    const end = close >= 0 && close - m.index <= PEM_MAX ? close + 5 : pemBodyEnd(text, m.index + m[0].length);
    found.push({ detector: 'secrets', type: 'private_key', start: m.index, end });
  }
  findJwts(text, found);
  return found;
}
