/**
 * `make bench-readme`: publishes the latest `make bench` run (test/bench/raw/) as the tracked
 * snapshots (test/bench/results.json, results.md) and into the README's marked sections. Run it
 * when the numbers should change in git, and commit what it changed.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { BENCH_DIR, RAW_DIR, replaceSections, sectionsOf } from './results';

function main(): void {
  const raw = join(RAW_DIR, 'results.md');
  if (!existsSync(raw)) throw new Error(`no results in ${RAW_DIR}: run \`make bench\` first`);
  const sections = sectionsOf(readFileSync(raw, 'utf8'));
  if (sections.length === 0) throw new Error(`${raw} has no marked sections`);
  const readme = join(REPO_ROOT, 'README.md');
  writeFileSync(readme, replaceSections(readFileSync(readme, 'utf8'), sections));
  for (const name of ['results.json', 'results.md']) copyFileSync(join(RAW_DIR, name), join(BENCH_DIR, name));
  process.stdout.write(`README.md (${sections.map((s) => s.name).join(', ')}) and test/bench/results.{json,md} now hold the run in ${RAW_DIR}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench-readme failed: ${(error as Error).message}\n`);
  process.exit(1);
}
