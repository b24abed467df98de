/**
 * `make bench` writes only where git does not look (test/bench/raw/), and `make bench-readme`
 * moves a run's marked sections into the README without touching the text around them. The
 * published compression run holds every method, rate and pool size, and says what its inputs are;
 * the published cache run holds both pair sets at the shipped threshold, every index size and
 * every end-to-end row, and says who wrote its pairs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PII_TYPES } from '../../lib/guardrails';
import { SEMANTIC_THRESHOLD_DEFAULT } from '../../lib/semantic-cache/defaults';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import type { CacheBench } from './cache';
import { SIZES } from './cache-index';
import { CACHE_PAIRS, TRAP_LABELS } from './cache-pairs';
import { HELD_OUT_PAIRS } from './cache-pairs-heldout';
import type { CompressionBench } from './compression';
import { CORPUS_DIR } from './compression-corpus';
import { QA_METHODS, RATES } from './compression-quality';
import { GOALS } from './guardrails';
import { METHODS } from './inference';
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
  expect(readme.map((s) => s.name)).toEqual([
    'relay',
    'observability',
    'keys',
    'pathological',
    'portkey',
    'compression-quality',
    'compression-latency',
    'cache-precision',
    'cache-latency',
    'guardrails',
    'router-quality',
    'router-overhead',
  ]);
  expect(snapshot).toEqual(readme);
});

it('the published guardrails run reports every PII type on both sets, and the checksum-backed types meet their goals', () => {
  const section = sectionsOf(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).find((s) => s.name === 'guardrails')!.body;
  for (const type of PII_TYPES) expect(section.match(new RegExp(`^\\| ${type} \\|`, 'gm'))).toHaveLength(2);
  expect(section).toMatch(/\| held-out \| \d+ \| [\d.]+ \| \d+ \| [\d.]+ \|/);
  for (const type of GOALS.checksumTypes) {
    const rows = [...section.matchAll(new RegExp(`^\\| ${type} \\| (\\d+) \\| (\\d+) \\| ([\\d.]+) \\| (\\d+) \\| (\\d+) \\| ([\\d.]+) \\|$`, 'gm'))];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(Number(row[3]) / 100).toBeGreaterThanOrEqual(GOALS.recall);
      expect(Number(row[6]) / 100).toBeGreaterThanOrEqual(GOALS.precision);
    }
  }
});

it('the published compression run covers every method and says what its inputs are', () => {
  const results = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'bench', 'results.json'), 'utf8')) as { compression: CompressionBench };
  const { quality, latency } = results.compression;
  for (const set of ['dev', 'held-out'])
    for (const rate of RATES) expect(quality.qa.filter((r) => r.set === set && r.rate === rate).map((r) => r.method)).toEqual(Object.keys(QA_METHODS));
  expect(quality.corpus.map((r) => r.file)).toEqual(readdirSync(CORPUS_DIR).sort());
  const n = Math.max(...latency.results.map((r) => r.workers));
  expect(n).toBeGreaterThan(1);
  for (const workers of [1, n]) {
    const rows = latency.results.filter((r) => r.workers === workers);
    expect(rows.map((r) => r.method)).toEqual(METHODS);
    for (const row of rows) expect(row).toMatchObject({ available: true, errors: 0 });
  }
  expect(results.compression.seconds).toBeLessThan(90);
  const sections = sectionsOf(readFileSync(join(REPO_ROOT, 'test', 'bench', 'results.md'), 'utf8'));
  expect(sections.find((s) => s.name === 'compression-quality')?.body).toMatch(/QA set is generated by this project.*not a public benchmark/);
  expect(sections.find((s) => s.name === 'compression-latency')?.body).toMatch(/generated fixture model.*mechanics.*not quality/);
});

it('the published cache run covers both pair sets, every index size and every end-to-end row, and says who wrote its pairs', () => {
  const { cache } = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'bench', 'results.json'), 'utf8')) as { cache: CacheBench };
  expect(cache.threshold).toBe(SEMANTIC_THRESHOLD_DEFAULT);
  for (const [set, pairs] of [
    [cache.precision.dev, CACHE_PAIRS],
    [cache.precision.heldOut, HELD_OUT_PAIRS],
  ] as const) {
    expect(Object.values(set.pairCounts).reduce((a, b) => a + b, 0)).toBe(pairs.length);
    for (const guards of [false, true]) {
      const row = set.rows.find((r) => r.guards === guards && Math.abs(r.threshold - SEMANTIC_THRESHOLD_DEFAULT) < 1e-9);
      expect(Object.keys(row?.trapHitShare ?? {})).toEqual([...TRAP_LABELS]);
    }
  }
  expect(cache.index.nearest.map((r) => r.vectors)).toEqual([...SIZES]);
  expect(cache.index.bytesPer100k).toBeGreaterThan(0);
  const e2e = cache.endToEnd;
  for (const row of [e2e.exactHit, e2e.semanticHit, e2e.missCacheOn, e2e.missCacheOff, e2e.embed, e2e.redisGetExact])
    expect(row).toMatchObject({ requests: e2e.requests, errors: 0 });
  expect(e2e.requests).toBeGreaterThanOrEqual(300);
  expect(e2e.semanticHit.similarityMax).toBeLessThan(1);
  expect(cache.seconds.total).toBeLessThan(120);
  const sections = sectionsOf(readFileSync(join(REPO_ROOT, 'test', 'bench', 'results.md'), 'utf8'));
  expect(sections.find((s) => s.name === 'cache-precision')?.body).toMatch(/pair sets are written by this project.*not a public benchmark/);
  expect(sections.find((s) => s.name === 'cache-precision')?.body).toContain(`\`SEMANTIC_THRESHOLD_DEFAULT\` = ${SEMANTIC_THRESHOLD_DEFAULT}`);
  expect(sections.find((s) => s.name === 'cache-latency')?.body).toMatch(/Memory per 100k entries.*\n[\s\S]*exact hit p50 ≤ 3 ms/);
});
