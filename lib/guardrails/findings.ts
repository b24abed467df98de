import type { Finding } from './types';

/**
 * Findings sorted by start, overlapping ones merged into the earliest-starting (longest on ties)
 * finding's type: what redaction replaces must not overlap.
 */
export function disjointFindings(findings: readonly Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && f.start < last.end) {
      if (f.end > last.end) out[out.length - 1] = { ...last, end: f.end };
    } else out.push({ ...f });
  }
  return out;
}
