/**
 * `make bench` writes only where git does not look (test/bench/raw/), and `make bench-readme`
 * moves a run's marked sections into the README without touching the text around them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { markedSection, RAW_DIR, replaceSections, sectionsOf } from './results';

it('the results folder is ignored by git, so a run leaves the tree clean', () => {
  for (const name of ['results.json', 'results.md']) {
    const file = relative(REPO_ROOT, join(RAW_DIR, name));
    expect(file.startsWith('test/bench/raw/')).toBe(true);
    // exit status 0: ignored; 1 would mean a run shows up in `git status`
    expect(() => execFileSync('git', ['check-ignore', '-q', file], { cwd: REPO_ROOT })).not.toThrow();
  }
});

it('copies each marked section of a run into the README in place', () => {
  const run = [
    '# Relay benchmark\n',
    markedSection({ name: 'relay', body: 'new relay table\n' }),
    '# Plugin chain\n',
    markedSection({ name: 'keys', body: 'new keys table\n' }),
  ].join('\n');
  const sections = sectionsOf(run);
  expect(sections).toEqual([
    { name: 'relay', body: 'new relay table\n' },
    { name: 'keys', body: 'new keys table\n' },
  ]);
  const readme =
    'intro\n<!-- bench:relay:start -->\nold\n<!-- bench:relay:end -->\nbetween\n<!-- bench:keys:start -->\nold\nrows\n<!-- bench:keys:end -->\nend\n';
  expect(replaceSections(readme, sections)).toBe(
    'intro\n<!-- bench:relay:start -->\nnew relay table\n<!-- bench:relay:end -->\nbetween\n<!-- bench:keys:start -->\nnew keys table\n<!-- bench:keys:end -->\nend\n',
  );
  expect(() => replaceSections('no markers\n', sections)).toThrow(/no section relay/);
});

it('the README and the tracked snapshot hold the same sections', () => {
  const readme = sectionsOf(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
  const snapshot = sectionsOf(readFileSync(join(REPO_ROOT, 'test', 'bench', 'results.md'), 'utf8'));
  expect(readme.map((s) => s.name)).toEqual(['relay', 'keys', 'pathological', 'portkey']);
  expect(snapshot).toEqual(readme);
});
