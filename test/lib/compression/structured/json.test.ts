import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTextMethod } from '../../../../lib/compression';
import { compactJson } from '../../../../lib/compression/structured/json';
import { countTextTokens } from '../../../../lib/tokens';
import { CORPUS_DIR } from '../../../bench/compression-corpus';
import { type Random, seeded } from '../../tokens/generators';
import { decodeCompactJson } from './decode';

const structured = (text: string): string => runTextMethod('structured', { segments: [text], options: { rate: 1 } }).segments[0];

/** Random JSON that exercises the table and repeat rules: arrays of same-keyed objects, runs of equal items. */
function randomJson(rand: Random, depth: number): unknown {
  const roll = rand();
  if (depth <= 0 || roll < 0.25) return [null, true, false, Math.floor(rand() * 2000) - 1000, rand() * 10, '', 'x "y" \\ z', 'ü€😀'][Math.floor(rand() * 8)];
  if (roll < 0.45) {
    const keys = ['id', 'name', 'tags', '#note', 'rows', 'item'].filter(() => rand() < 0.6);
    return Array.from({ length: Math.floor(rand() * 6) }, () => Object.fromEntries(keys.map((key) => [key, randomJson(rand, depth - 1)])));
  }
  if (roll < 0.6) {
    const item = randomJson(rand, depth - 1);
    return Array.from({ length: Math.floor(rand() * 6) }, () => (rand() < 0.7 ? structuredClone(item) : randomJson(rand, depth - 1)));
  }
  if (roll < 0.8) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth - 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, index) => [`k${index}`, randomJson(rand, depth - 1)]));
}

describe('structured JSON', () => {
  const jsonFiles = readdirSync(CORPUS_DIR).filter((file) => file.endsWith('.json'));

  test.each(jsonFiles)('%s decodes to the same data and is at least 30%% smaller in o200k tokens', (file) => {
    const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
    const compacted = structured(text);
    expect(decodeCompactJson(compacted)).toEqual(JSON.parse(text));
    expect(countTextTokens(compacted)).toBeLessThanOrEqual(0.7 * countTextTokens(text));
  });

  test('random JSON, pretty or minified, decodes to the same data', () => {
    const rand = seeded(5);
    let tables = 0;
    let repeats = 0;
    for (let run = 0; run < 400; run++) {
      const value = randomJson(rand, 4);
      const text = JSON.stringify(value, null, run % 2 === 0 ? 2 : undefined);
      if (typeof value !== 'object' || value === null) continue;
      const compacted = compactJson(text)!;
      if (compacted.includes('"#table"')) tables++;
      if (compacted.includes('"#repeat"')) repeats++;
      expect(decodeCompactJson(compacted)).toEqual(JSON.parse(text));
    }
    // The rules under test did fire.
    expect(tables).toBeGreaterThan(20);
    expect(repeats).toBeGreaterThan(20);
  });

  test('data that uses a marker key is minified, never encoded with markers', () => {
    const text = JSON.stringify(
      [
        { '#table': ['a'], rows: [[1]] },
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ],
      null,
      2,
    );
    const compacted = compactJson(text)!;
    expect(JSON.parse(compacted)).toEqual(JSON.parse(text));
    expect(compacted).toBe(JSON.stringify(JSON.parse(text)));
  });

  test('numbers a double cannot hold keep their digits', () => {
    const text = '{\n  "id": 12345678901234567890,\n  "list": [1, 1, 1, 1]\n}';
    expect(structured(text)).toBe('{"id":12345678901234567890,"list":[1,1,1,1]}');
  });

  test('JSON inside text and inside ```json fences is compacted in place', () => {
    const payload = JSON.stringify(
      {
        items: [
          { id: 1, state: 'open' },
          { id: 2, state: 'closed' },
        ],
      },
      null,
      2,
    );
    const compacted = structured(`Result of the call:\n${payload}\nDone.`);
    expect(compacted.startsWith('Result of the call:\n{"items":{"#table"')).toBe(true);
    expect(compacted.endsWith('\nDone.')).toBe(true);
    const fenced = structured(`See:\n\`\`\`json\n${payload}\n\`\`\`\nand \`\`\`ts\nconst  a = 1;\n\`\`\``);
    expect(decodeCompactJson(fenced.split('```json\n')[1].split('\n```')[0])).toEqual(JSON.parse(payload));
    expect(fenced).toContain('const  a = 1;');
  });

  test('a base64 string inside JSON becomes a marker with its length and hash', () => {
    const data = Buffer.from(Array.from({ length: 900 }, (_, index) => (index * 37) % 256)).toString('base64');
    const compacted = structured(JSON.stringify({ mime: 'image/png', data }));
    expect(compacted).toMatch(new RegExp(`^\\{"mime":"image/png","data":"\\[base64 blob, ${data.length} chars, sha256 [0-9a-f]{12}…\\]"\\}$`));
  });
});
