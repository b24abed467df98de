/** Line diffs of template versions: minimal where bounded, whole-middle replacement beyond, unified output. */
import { MAX_DIFF_EDITS } from '../../../lib/templates/bounds';
import { type DiffLine, diffLines, formatUnifiedDiff, templateVersionText } from '../../../lib/templates/diff';
import { parseTemplateDefinition } from '../../../lib/templates/model';
import { bestCpuMs } from '../../harness/cpu-time';

/** The two sides a diff stands for, rebuilt from its lines. */
function sides(lines: readonly DiffLine[]): [string, string] {
  const before = lines.filter((line) => line.op !== 'insert').map((line) => line.text);
  const after = lines.filter((line) => line.op !== 'delete').map((line) => line.text);
  return [before.join('\n'), after.join('\n')];
}

const edits = (lines: readonly DiffLine[]) => lines.filter((line) => line.op !== 'equal').length;

describe('diffLines', () => {
  test('equal texts: no edits', () => {
    const diff = diffLines('a\nb', 'a\nb');
    expect(diff).toEqual({
      exact: true,
      lines: [
        { op: 'equal', text: 'a' },
        { op: 'equal', text: 'b' },
      ],
    });
  });

  test.each([
    ['one line changed', 'a\nb\nc', 'a\nB\nc', 2],
    ['a line inserted', 'a\nc', 'a\nb\nc', 1],
    ['a line deleted', 'a\nb\nc', 'a\nc', 1],
    ['everything new', 'a\nb', 'c\nd', 4],
    ['from empty', '', 'a\nb', 3],
    ['moved block', 'x\n1\n2\n3\ny', 'x\ny\n1\n2\n3', 2],
    ['repeated lines', 'a\na\nb\na\na', 'a\nb\na\nb\na', 2],
  ])('%s: the minimal edits, and both sides rebuild', (_name, before, after, count) => {
    const diff = diffLines(before, after);
    expect(diff.exact).toBe(true);
    expect(edits(diff.lines)).toBe(count);
    expect(sides(diff.lines)).toEqual([before, after]);
  });

  test('past the edit bound: the middle is replaced whole, still rebuilding both sides', () => {
    const before = Array.from({ length: MAX_DIFF_EDITS + 10 }, (_, index) => `old ${index}`);
    const after = before.map((line, index) => (index % 2 === 0 ? line : `new ${index}`));
    const diff = diffLines(['head', ...before, 'tail'].join('\n'), ['head', ...after, 'tail'].join('\n'));
    expect(diff.exact).toBe(false);
    expect(diff.lines[0]).toEqual({ op: 'equal', text: 'head' });
    expect(diff.lines.at(-1)).toEqual({ op: 'equal', text: 'tail' });
    expect(sides(diff.lines)).toEqual([['head', ...before, 'tail'].join('\n'), ['head', ...after, 'tail'].join('\n')]);
  });

  test('time grows with size × edits, bounded: unrelated large texts stay fast', () => {
    const text = (size: number, seed: string) => Array.from({ length: size }, (_, index) => `${seed}${index}`).join('\n');
    const time = (size: number) => bestCpuMs(() => diffLines(text(size, 'a'), text(size, 'b')), 3);
    time(2000);
    const small = time(2000);
    const large = time(8000);
    expect(large).toBeLessThan(10 * small + 20);
    expect(large).toBeLessThan(2000);
  });
});

describe('formatUnifiedDiff', () => {
  test('hunks with context and line numbers', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n');
    const after = ['1', 'two', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'].join('\n');
    expect(formatUnifiedDiff(diffLines(before, after), 'v1', 'v2', 1)).toBe(
      ['--- v1', '+++ v2', '@@ -1,3 +1,3 @@', ' 1', '-2', '+two', ' 3', '@@ -12,1 +12,2 @@', ' 12', '+13', ''].join('\n'),
    );
  });

  test('close changes share one hunk; no change, no output', () => {
    const diff = diffLines('a\nb\nc\nd', 'A\nb\nc\nD');
    expect(formatUnifiedDiff(diff, 'a', 'b', 1).match(/@@/g)).toHaveLength(2);
    expect(formatUnifiedDiff(diffLines('x', 'x'), 'a', 'b')).toBe('');
  });
});

test('templateVersionText: what changed between two versions reads as lines', () => {
  const v1 = parseTemplateDefinition({
    kind: 'chat',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi {{name}}' },
    ],
    variables: [{ name: 'name', type: 'string' }],
    model: 'gpt-4o-mini',
  });
  const v2 = parseTemplateDefinition({
    kind: 'chat',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello {{name}}' },
    ],
    variables: [{ name: 'name', type: 'string', default: 'there' }],
    model: 'gpt-4o-mini',
    params: { temperature: 0 },
  });
  expect(formatUnifiedDiff(diffLines(templateVersionText(v1), templateVersionText(v2)), 'support@1', 'support@2')).toBe(
    [
      '--- support@1',
      '+++ support@2',
      '@@ -1,7 +1,8 @@',
      ' kind: chat',
      ' model: gpt-4o-mini',
      '-variable name: string',
      '+params: {"temperature":0}',
      '+variable name: string = "there"',
      ' --- message 1 (system)',
      ' Be brief.',
      ' --- message 2 (user)',
      '-Hi {{name}}',
      '+Hello {{name}}',
      '',
    ].join('\n'),
  );
});
