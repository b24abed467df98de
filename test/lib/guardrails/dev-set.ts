/**
 * The guardrail development sets (test/fixtures/guardrails/*.jsonl, README.md there): texts with
 * labelled spans written inline as `[[type:value]]`, and secrets written as generator directives
 * `{{prefix|length|alphabet}}` (or `{{jwt:ALG}}`) so that nothing key-shaped is committed. Values
 * are generated from a PRNG seeded by the item's id: the same text on every run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash32, prng } from '../../harness/mock-provider/tokenizer';

export interface LabelledSpan {
  type: string;
  start: number;
  end: number;
}

export interface SpanItem {
  id: string;
  kind: 'positive' | 'near_miss';
  text: string;
  spans: LabelledSpan[];
}

export interface InjectionItem {
  id: string;
  label: 'attack' | 'benign';
  text: string;
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'guardrails');

const ALPHABETS: Record<string, string> = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alnumu: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_',
  b64u: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  b64aws: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  slack: 'abcdefghijklmnopqrstuvwxyz0123456789-',
  hexlower: '0123456789abcdef',
};

function randomOf(rand: () => number, alphabet: string, length: number): string {
  // Secrets of every alphabet with upper, lower and digits mix all three (as real keys do).
  for (;;) {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
    const mixed = !/[A-Z]/.test(alphabet) || !/[a-z]/.test(alphabet) || (/[A-Z]/.test(out) && /[a-z]/.test(out) && /[0-9]/.test(out));
    if (mixed || length < 8) return out;
  }
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function expandDirective(directive: string, rand: () => number): string {
  if (directive.startsWith('jwt:')) {
    const alg = directive.slice(4);
    const signatureLength = alg.startsWith('RS') ? 342 : alg.endsWith('512') ? 86 : 43;
    const payload = { sub: String(Math.floor(rand() * 1e9)), iat: 1_700_000_000 + Math.floor(rand() * 1e7), scope: 'read write' };
    return `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}.${randomOf(rand, ALPHABETS.b64u!, signatureLength)}`;
  }
  const [prefix, length, alphabet] = directive.split('|');
  const chars = ALPHABETS[alphabet ?? ''];
  if (chars === undefined || !length) throw new Error(`bad directive {{${directive}}}`);
  return prefix + randomOf(rand, chars, Number(length));
}

/** `{{prefix|length|alphabet}}` or `{{jwt:ALG}}`; any other `{{…}}` is literal text (a GitHub Actions expression). */
const DIRECTIVE = /^\{\{((?:[^|{}\s]*\|\d+\|[a-z0-9]+)|jwt:[A-Z0-9]+)\}\}/;

/** The text with directives expanded and labels removed, and the labels' spans in it. */
export function parseLabelled(id: string, marked: string): { text: string; spans: LabelledSpan[] } {
  const rand = prng(hash32(id)); // the mock provider's mulberry32, seeded by the id's FNV-1a hash
  const spans: LabelledSpan[] = [];
  let text = '';
  let open: { type: string; start: number } | null = null;
  let i = 0;
  while (i < marked.length) {
    const directive = DIRECTIVE.exec(marked.slice(i, i + 200));
    if (directive !== null) {
      text += expandDirective(directive[1]!, rand);
      i += directive[0].length;
    } else if (open === null && marked.startsWith('[[', i)) {
      const colon = marked.indexOf(':', i);
      open = { type: marked.slice(i + 2, colon), start: text.length };
      i = colon + 1;
    } else if (open !== null && marked.startsWith(']]', i)) {
      spans.push({ ...open, end: text.length });
      open = null;
      i += 2;
    } else text += marked[i++];
  }
  if (open !== null) throw new Error(`${id}: unclosed label`);
  return { text, spans };
}

const readJsonl = <T>(name: string): T[] =>
  readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);

function loadSpanSet(name: string): SpanItem[] {
  return readJsonl<{ id: string; kind: SpanItem['kind']; text: string }>(name).map((raw) => ({
    id: raw.id,
    kind: raw.kind,
    ...parseLabelled(raw.id, raw.text),
  }));
}

export const loadPiiSet = (): SpanItem[] => loadSpanSet('pii.jsonl');
export const loadSecretsSet = (): SpanItem[] => loadSpanSet('secrets.jsonl');
export const loadInjectionSet = (): InjectionItem[] => readJsonl<InjectionItem>('injection.jsonl');
export const loadPiiHeldOut = (): SpanItem[] => loadSpanSet('pii-heldout.jsonl');
export const loadInjectionHeldOut = (): InjectionItem[] => readJsonl<InjectionItem>('injection-heldout.jsonl');
