/**
 * Numbers guard: the numeric facts of the two queries must be the same set. A fact is a number as
 * written (versions compare as text, so 3.9 ≠ 3.10; "1,000" = "1000"), a written number ("two" = 2),
 * with the unit that follows it ("10 GB" = "10gb", "5 minutes" = "5min"; different units never
 * match even when equal in value — a miss is cheap, a wrong answer is not), dates and month or
 * weekday names. Digits glued after letters (ipv6, k8s, sha256) are names: the entities guard has them.
 */

const WRITTEN: ReadonlyMap<string, string> = new Map(
  Object.entries({
    zero: '0',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    ten: '10',
    eleven: '11',
    twelve: '12',
    fifteen: '15',
    twenty: '20',
    thirty: '30',
    forty: '40',
    fifty: '50',
    sixty: '60',
    hundred: '100',
    thousand: '1000',
    million: '1000000',
    billion: '1000000000',
    twice: '2',
    half: '0.5',
    dozen: '12',
    double: '2',
  }),
);
// "one" (and so "single", "once") is left out: it is far more often a pronoun ("which one") than a
// count, and "a single file" must still match "one file".

const UNITS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    '%': '%',
    percent: '%',
    pct: '%',
    ms: 'ms',
    millisecond: 'ms',
    milliseconds: 'ms',
    s: 's',
    sec: 's',
    secs: 's',
    second: 's',
    seconds: 's',
    m: 'min',
    min: 'min',
    mins: 'min',
    minute: 'min',
    minutes: 'min',
    h: 'h',
    hr: 'h',
    hrs: 'h',
    hour: 'h',
    hours: 'h',
    d: 'd',
    day: 'd',
    days: 'd',
    week: 'w',
    weeks: 'w',
    b: 'b',
    byte: 'b',
    bytes: 'b',
    kb: 'kb',
    kib: 'kib',
    mb: 'mb',
    mib: 'mib',
    gb: 'gb',
    gib: 'gib',
    tb: 'tb',
    k: 'k',
    x: 'x',
    times: 'x',
    px: 'px',
    rps: 'rps',
    qps: 'qps',
    tokens: 'tok',
    token: 'tok',
    cores: 'cpu',
    cpus: 'cpu',
    vcpu: 'cpu',
    vcpus: 'cpu',
    usd: 'usd',
    dollars: 'usd',
  }),
);

const CALENDAR = new Set(
  'january february march april june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday'.split(
    ' ',
  ),
);

/**
 * A number not glued to a preceding letter (a leading v or $ is allowed), with its separators
 * (1.2.3, 2024-01-05, 10:30, 1,000) and an optional unit word or % right after it.
 */
const NUMBER = /(^|[^\p{L}\p{N}_])[v$]?(\p{N}+(?:[.,:/-]\p{N}+)*)(?:\s?(%|[a-z]+)\b)?/giu;
const WORD = /[a-z%]+/g;

function normalise(raw: string): string {
  // 1,000 and 1,000,000 are thousands separators; 1,5 and 3,9 stay as written.
  return /^\d{1,3}(?:,\d{3})+$/.test(raw) ? raw.replace(/,/g, '') : raw;
}

/** The set of numeric facts of a bounded query. */
export function numericFacts(text: string): Set<string> {
  const facts = new Set<string>();
  const lower = text.toLowerCase();
  for (const match of lower.matchAll(NUMBER)) {
    const unit = match[3] ? UNITS.get(match[3]) : undefined;
    facts.add(normalise(match[2]) + (unit ?? ''));
  }
  for (const [word] of lower.matchAll(WORD)) {
    const value = WRITTEN.get(word);
    if (value !== undefined) facts.add(value);
    else if (CALENDAR.has(word)) facts.add(word.slice(0, 3));
  }
  return facts;
}

/** A written number followed by a unit ("two hours") counts its unit too. */
function withWrittenUnits(text: string, facts: Set<string>): Set<string> {
  const list = text.toLowerCase().match(WORD) ?? [];
  for (let index = 0; index + 1 < list.length; index++) {
    const value = WRITTEN.get(list[index]);
    const unit = UNITS.get(list[index + 1]);
    if (value !== undefined && unit !== undefined) {
      facts.delete(value);
      facts.add(value + unit);
    }
  }
  return facts;
}

function listFacts(facts: Set<string>): string {
  return facts.size === 0 ? 'none' : [...facts].sort().join(', ');
}

/** Null when the numeric facts agree, else why not. */
export function numbersGuard(query: string, candidate: string): string | null {
  const a = withWrittenUnits(query, numericFacts(query));
  const b = withWrittenUnits(candidate, numericFacts(candidate));
  if (a.size === b.size && [...a].every((fact) => b.has(fact))) return null;
  return `numbers differ: ${listFacts(a)} vs ${listFacts(b)}`;
}
