/**
 * deck/kong.yaml through `deck validate` from Debian (decK 1.4.0, offline).
 *
 * What decK 1.4.0 understands, found by running it (bookworm's 1.4.0-1+b12):
 *  - `deck validate` checks the file against decK's JSON schema of Kong entities (unknown or
 *    mistyped fields, e.g. "Additional property bogus is not allowed") and checks names and
 *    references (duplicate service/route names, a plugin naming a missing service). It does
 *    not talk to Kong, so it knows nothing about custom plugins' config.
 *  - `_format_version` must be a string, and ANY string passes ("3.0", "9.9", "abc"): 1.4.0
 *    predates format 3.0 and does not interpret the version at all.
 *  - Route paths are opaque strings to it: `~/v1/models(/[^/]+)?$` passes, and so would an
 *    unprefixed regex, which Kong 3.x (format 3.0) treats as a literal prefix.
 *  - Its entity schema is Kong 2.x-era: it rejects some fields Kong 3.9 accepts (plugin
 *    `instance_name`, top-level `vaults`, route `expression` were all rejected).
 *
 * Decision: validate deck/kong.yaml itself with decK 1.4.0 (it accepts the file as it is, so
 * every check it can make still applies to the real file), and check here, in TypeScript, what
 * 1.4.0 cannot: the format version is "3.0" and every route path follows the 3.0 rules (regex
 * only with `~`, and it compiles; plain paths have no regex syntax). If the file ever needs a
 * Kong-3-only field that 1.4.0 rejects, add it to KONG3_ONLY below: it is checked here and
 * removed only from the temporary copy that decK sees; nothing else is altered.
 */

import { stringify } from 'yaml';
import { asRecord, describeRun, isRecord, parseYaml, readRepoFile, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

const DECK_FILE = 'deck/kong.yaml';

/**
 * Kong 3.x fields decK 1.4.0's schema lacks: where they may appear, and our own check of them.
 * Kong's name rule for instance_name: kong/db/schema/typedefs.lua utf8_name.
 */
const KONG3_ONLY: Array<{ where: 'plugin' | 'top'; field: string; check: (value: unknown) => boolean }> = [
  { where: 'plugin', field: 'instance_name', check: (v) => typeof v === 'string' && /^[\p{L}\p{N}._~-]+$/u.test(v) },
  {
    where: 'top',
    field: 'vaults',
    check: (v) => Array.isArray(v) && v.every((x) => isRecord(x) && typeof x.name === 'string' && typeof x.prefix === 'string'),
  },
];

/** A copy of the document without the KONG3_ONLY fields, after checking them. */
function forDeck14(doc: Record<string, unknown>): { copy: Record<string, unknown>; removed: string[] } {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  const removed: string[] = [];
  for (const rule of KONG3_ONLY.filter((r) => r.where === 'top')) {
    if (rule.field in copy) {
      if (!rule.check(copy[rule.field])) throw new Error(`${DECK_FILE}: invalid ${rule.field}`);
      delete copy[rule.field];
      removed.push(rule.field);
    }
  }
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => visit(x, `${path}[${i}]`));
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'plugins' && Array.isArray(value)) {
        value.forEach((plugin, i) => {
          if (!isRecord(plugin)) return;
          for (const rule of KONG3_ONLY.filter((r) => r.where === 'plugin')) {
            if (rule.field in plugin) {
              if (!rule.check(plugin[rule.field])) throw new Error(`${DECK_FILE}: invalid ${path}.plugins[${i}].${rule.field}`);
              delete plugin[rule.field];
              removed.push(`${path}.plugins[${i}].${rule.field}`);
            }
          }
        });
      }
      visit(value, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(copy, '');
  return { copy, removed };
}

function deckValidate(file: string) {
  const deck = requireTool('deck', 'deck');
  return runTool(deck, ['validate', '--no-color', '-s', file]);
}

function routes(doc: Record<string, unknown>): Array<{ where: string; route: Record<string, unknown> }> {
  const out: Array<{ where: string; route: Record<string, unknown> }> = [];
  const services = Array.isArray(doc.services) ? doc.services : [];
  services.forEach((svc, i) => {
    const s = asRecord(svc, `services[${i}]`);
    (Array.isArray(s.routes) ? s.routes : []).forEach((r, j) => out.push({ where: `services[${i}].routes[${j}]`, route: asRecord(r, 'route') }));
  });
  (Array.isArray(doc.routes) ? doc.routes : []).forEach((r, j) => out.push({ where: `routes[${j}]`, route: asRecord(r, 'route') }));
  return out;
}

const doc = asRecord(parseYaml(readRepoFile(DECK_FILE)), DECK_FILE);

describe('deck/kong.yaml', () => {
  test('deck validate (decK 1.4.0) accepts it', () => {
    const { copy, removed } = forDeck14(doc);
    const file = removed.length === 0 ? DECK_FILE : writeTemp(tempDir('aigw-deck-'), 'kong.yaml', stringify(copy));
    const r = deckValidate(file);
    if (r.status !== 0) throw new Error(describeRun(`deck validate -s ${file}${removed.length ? ` (without ${removed.join(', ')})` : ''}`, r));
    expect(r.status).toBe(0);
  });

  test('deck validate really validates (a copy with an unknown route field is rejected)', () => {
    const broken = JSON.parse(JSON.stringify(forDeck14(doc).copy)) as Record<string, unknown>;
    const first = routes(broken)[0];
    expect(first).toBeDefined();
    first.route.not_a_kong_field = true;
    const r = deckValidate(writeTemp(tempDir('aigw-deck-'), 'broken.yaml', stringify(broken)));
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/not_a_kong_field/);
  });

  test('format version is "3.0" (decK 1.4.0 accepts any string here)', () => {
    expect(doc._format_version).toBe('3.0');
  });

  test('route paths follow format 3.0: regex only with "~", and it compiles; plain paths are literal', () => {
    const all = routes(doc);
    expect(all.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const { where, route } of all) {
      const paths = Array.isArray(route.paths) ? route.paths.map(String) : [];
      for (const path of paths) {
        if (path.startsWith('~')) {
          const pattern = path.slice(1);
          if (!pattern.startsWith('/')) problems.push(`${where}: regex path ${path} does not start with "~/"`);
          try {
            // Kong uses PCRE; JavaScript's syntax is close enough to catch typos.
            new RegExp(pattern);
          } catch (e) {
            problems.push(`${where}: ${path}: ${(e as Error).message}`);
          }
        } else {
          if (!path.startsWith('/')) problems.push(`${where}: path ${path} does not start with "/"`);
          // In 3.0 a path without "~" is a literal prefix; regex syntax there is a forgotten "~".
          if (/[()[\]$^*+?|\\{}]/.test(path)) problems.push(`${where}: ${path} looks like a regex but has no "~" prefix`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
