/** The plugin's cache of compiled templates: trust while invalidations arrive, what a template message drops, bounds. */
import { parseTemplateDefinition, prepareTemplate } from '../../../lib/templates';
import { TemplateCache } from '../../../plugins/aigw-prompt-template/template-cache';

let clock = 0;
const cache = (maxEntries = 100) => new TemplateCache({ ttlMs: 300_000, unsubscribedTtlMs: 1000, maxEntries, now: () => clock });
const prepared = (source: string, partials: Record<string, string> = {}) =>
  prepareTemplate(parseTemplateDefinition({ kind: 'text', text: source }), new Map(Object.entries(partials)));
const versions = { latestVersion: 2, labels: new Map([['production', 1]]) };

beforeEach(() => {
  clock = 0;
});

test('entries live ttlMs while subscribed, one second while not, and the channel coming back starts over', () => {
  const c = cache();
  c.channelState(true);
  c.setVersions('support', versions);
  c.setPrepared('support', 1, prepared('hi'));
  clock = 299_000;
  expect(c.getVersions('support')).toEqual({ hit: true, value: versions });
  expect(c.getPrepared('support', 1)).toBeDefined();
  c.channelState(false);
  expect(c.getVersions('support')).toEqual({ hit: false });
  c.setVersions('support', undefined);
  clock += 999;
  expect(c.getVersions('support')).toEqual({ hit: true, value: undefined });
  clock += 1;
  expect(c.getVersions('support')).toEqual({ hit: false });
  c.setVersions('support', versions);
  c.channelState(true);
  expect(c.size).toBe(0);
});

test("a template message drops the template's entries and every version that includes it as a partial; key messages drop nothing", () => {
  const c = cache();
  c.channelState(true);
  c.setVersions('support', versions);
  c.setVersions('tone', { latestVersion: 1, labels: new Map() });
  c.setPrepared('support', 1, prepared('{{> tone}} one', { tone: 'Be brief.' }));
  c.setPrepared('support', 2, prepared('two'));
  c.setPrepared('other', 1, prepared('{{> tone}} other', { tone: 'Be brief.' }));
  c.setPrepared('support-v2', 1, prepared('unrelated'));
  c.invalidate({ type: 'key', name: 'tone' });
  c.invalidate({ type: 'team', name: 'tone' });
  expect(c.size).toBe(6);
  c.invalidate({ type: 'template', name: 'tone' });
  expect(c.getVersions('tone')).toEqual({ hit: false });
  expect(c.getPrepared('other', 1)).toBeUndefined();
  expect(c.getPrepared('support', 2)).toBeDefined();
  c.invalidate({ type: 'template', name: 'support' });
  expect(c.getVersions('support')).toEqual({ hit: false });
  expect(c.getPrepared('support', 2)).toBeUndefined();
  // A name that merely starts like another is another template.
  expect(c.getPrepared('support-v2', 1)).toBeDefined();
  c.invalidate({ type: 'all' });
  expect(c.size).toBe(0);
});

test('bounded: past maxEntries the oldest goes', () => {
  const c = cache(2);
  c.channelState(true);
  for (const name of ['a', 'b', 'c']) c.setVersions(name, versions);
  expect(c.getVersions('a')).toEqual({ hit: false });
  expect(c.getVersions('c').hit).toBe(true);
});
