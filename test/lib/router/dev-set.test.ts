/** The router's development and held-out sets: large enough, every category with both labels, no prompt in both. */
import { DEV_SET_QUANTILES } from '../../../lib/router/dev-calibration';
import { loadDevSet, loadHeldOut } from '../../bench/router-dev-set';

const CATEGORIES = ['chat', 'code', 'math', 'extraction', 'tool-step', 'summarisation', 'reasoning'];
const lastUserText = (body: Record<string, unknown>): string =>
  JSON.stringify((body.messages as Array<{ role: string; content: unknown }>).filter((m) => m.role === 'user').at(-1)?.content);

describe('router development set', () => {
  it('holds at least 200 prompts, each category with weak and strong ones, and a held-out set with none of them', () => {
    const dev = loadDevSet();
    const heldOut = loadHeldOut();
    expect(dev.length).toBeGreaterThanOrEqual(200);
    expect(heldOut.length).toBeGreaterThanOrEqual(50);
    for (const set of [dev, heldOut]) {
      for (const category of CATEGORIES) {
        for (const label of ['weak', 'strong']) expect(set.some((item) => item.category === category && item.label === label)).toBe(true);
      }
    }
    const ids = [...dev, ...heldOut].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    const devTexts = new Set(dev.map((item) => lastUserText(item.body)));
    expect(heldOut.filter((item) => devTexts.has(lastUserText(item.body)))).toEqual([]);
  });

  it('ships score quantiles that rise from 0 to 1', () => {
    for (let i = 1; i < DEV_SET_QUANTILES.length; i++) expect(DEV_SET_QUANTILES[i]!).toBeGreaterThanOrEqual(DEV_SET_QUANTILES[i - 1]!);
    expect(DEV_SET_QUANTILES[0]).toBeGreaterThanOrEqual(0);
    expect(DEV_SET_QUANTILES.at(-1)).toBeLessThanOrEqual(1);
  });
});
