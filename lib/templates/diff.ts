/**
 * Line diffs between two template versions, for `aigw prompts diff`. Myers' O((N+M)·D) algorithm
 * on the lines between the common prefix and suffix, lines compared as integers, with D bounded
 * (MAX_DIFF_EDITS): past it the middle is shown replaced whole (`exact: false`), so a diff of two
 * unrelated large versions stays fast. Output as operations and as a unified diff.
 */
import { canonicalJson } from '../semantic-cache/scope';
import { MAX_DIFF_EDITS, MAX_DIFF_LINES } from './bounds';
import type { TemplateDefinition } from './model';

export interface DiffLine {
  readonly op: 'equal' | 'delete' | 'insert';
  readonly text: string;
}

export interface LineDiff {
  readonly lines: readonly DiffLine[];
  /** False when the versions differ too much (or are too long) for a minimal diff: the middle is replaced whole. */
  readonly exact: boolean;
}

/** Myers' shortest edit script between `a` and `b` (line ids), or undefined past `maxEdits`. */
function shortestEdit(a: Int32Array, b: Int32Array, maxEdits: number): DiffLine['op'][] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, offset, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: readonly Int32Array[], offset: number, n: number, m: number): DiffLine['op'][] {
  const ops: DiffLine['op'][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const previousK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const previousX = v[offset + previousK];
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push('equal');
      x--;
      y--;
    }
    if (d > 0) ops.push(x === previousX ? 'insert' : 'delete');
    x = previousX;
    y = previousY;
  }
  return ops.reverse();
}

/** The line diff of two texts. */
export function diffLines(before: string, after: string): LineDiff {
  const a = before.split('\n');
  const b = after.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const ids = new Map<string, number>();
  const idsOf = (lines: string[]): Int32Array =>
    Int32Array.from(lines, (line) => {
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      return id;
    });
  const tooLong = middleA.length + middleB.length > 2 * MAX_DIFF_LINES;
  const ops = tooLong ? undefined : shortestEdit(idsOf(middleA), idsOf(middleB), MAX_DIFF_EDITS);
  const lines: DiffLine[] = a.slice(0, prefix).map((text) => ({ op: 'equal', text }));
  if (ops === undefined) {
    for (const text of middleA) lines.push({ op: 'delete', text });
    for (const text of middleB) lines.push({ op: 'insert', text });
  } else {
    let x = 0;
    let y = 0;
    for (const op of ops) {
      if (op === 'insert') lines.push({ op, text: middleB[y++] });
      else {
        lines.push({ op, text: middleA[x++] });
        if (op === 'equal') y++;
      }
    }
  }
  for (const text of a.slice(a.length - suffix)) lines.push({ op: 'equal', text });
  return { lines, exact: ops !== undefined };
}

const PREFIX: Readonly<Record<DiffLine['op'], string>> = { equal: ' ', delete: '-', insert: '+' };

/** A unified diff (`--- from`, `+++ to`, `@@` hunks with `context` lines around each change); empty when nothing differs. */
export function formatUnifiedDiff(diff: LineDiff, from: string, to: string, context = 3): string {
  const { lines } = diff;
  const changed = lines.flatMap((line, index) => (line.op === 'equal' ? [] : [index]));
  if (changed.length === 0) return '';
  const out = [`--- ${from}`, `+++ ${to}`];
  // Line numbers on each side before each diff line.
  let lineA = 1;
  let lineB = 1;
  const startA: number[] = [];
  const startB: number[] = [];
  for (const line of lines) {
    startA.push(lineA);
    startB.push(lineB);
    if (line.op !== 'insert') lineA++;
    if (line.op !== 'delete') lineB++;
  }
  for (let first = 0; first < changed.length; ) {
    let last = first;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] - 1 <= 2 * context) last++;
    const begin = Math.max(0, changed[first] - context);
    const end = Math.min(lines.length, changed[last] + context + 1);
    const hunk = lines.slice(begin, end);
    const countA = hunk.filter((line) => line.op !== 'insert').length;
    const countB = hunk.filter((line) => line.op !== 'delete').length;
    out.push(`@@ -${countA === 0 ? startA[begin] - 1 : startA[begin]},${countA} +${countB === 0 ? startB[begin] - 1 : startB[begin]},${countB} @@`);
    for (const line of hunk) out.push(PREFIX[line.op] + line.text);
    first = last + 1;
  }
  return `${out.join('\n')}\n`;
}

/**
 * A version as lines to diff: kind, model, params, each variable on a line, then each message
 * under a header with its role (or the text), so a diff shows what changed where.
 */
export function templateVersionText(definition: TemplateDefinition): string {
  const lines = [`kind: ${definition.kind}`];
  if (definition.model !== undefined) lines.push(`model: ${definition.model}`);
  if (definition.params !== undefined) lines.push(`params: ${canonicalJson(definition.params)}`);
  for (const variable of definition.variables) {
    const type = variable.type === undefined ? '' : `: ${variable.type}`;
    const fallback = variable.default === undefined ? '' : ` = ${JSON.stringify(variable.default)}`;
    lines.push(`variable ${variable.name}${type}${fallback}`);
  }
  if (definition.kind === 'text') lines.push('--- text', definition.text);
  else definition.messages.forEach((message, index) => lines.push(`--- message ${index + 1} (${message.role})`, message.content));
  return lines.join('\n');
}
