/**
 * Runs of passing-test lines (jest "✓ …", pytest "… PASSED", TAP "ok N …") shortened: the first
 * stays and the rest are counted. Lossy, marked: the names of tests that passed go; failures,
 * summaries and everything else stay word for word.
 */

const PASSING = /^\s*(?:[✓√✔]\s|ok \d+\b|PASS\s)|\sPASSED(?:\s|$)/;
const MIN_RUN = 4;

export function shortenPassingTests(lines: readonly string[]): string[] {
  const out: string[] = [];
  let index = 0;
  while (index < lines.length) {
    let end = index;
    while (end < lines.length && PASSING.test(lines[end])) end++;
    if (end - index >= MIN_RUN) {
      const indent = lines[index].match(/^\s*/)![0];
      out.push(lines[index], `${indent}[… ${end - index - 1} more passing tests]`);
      index = end;
    } else if (end > index) {
      out.push(...lines.slice(index, end));
      index = end;
    } else {
      out.push(lines[index]);
      index++;
    }
  }
  return out;
}
