/**
 * Every plugin config in deck/kong.yaml must validate against that plugin's own Schema, as the
 * built plugin reports it through kong-js-pluginserver --dump-all-plugins (what Kong reads).
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeckFile, parseDeck } from '../harness/kong-double/deck';
import { validatePluginConfig } from '../harness/kong-double/kong-schema';
import { REPO_ROOT } from '../harness/repo-root';
import { dumpedSchema } from './static-helpers';

const ROOT = REPO_ROOT;
const PLUGINS_DIR = join(ROOT, 'dist', 'kong-plugins');
const SERVER = join(ROOT, 'node_modules', '.bin', 'kong-js-pluginserver');

describe('deck/kong.yaml plugin configs', () => {
  const deck = parseDeck(loadDeckFile(join(ROOT, 'deck', 'kong.yaml')));
  const ours = deck.plugins.filter((p) => existsSync(join(ROOT, 'plugins', p.name)));

  it('configures at least the aigw-proxy plugin', () => {
    expect(ours.map((p) => p.name)).toContain('aigw-proxy');
  });

  it.each(ours.map((p) => [p.name, p] as const))('%s validates against its own schema', (name, plugin) => {
    expect(existsSync(join(PLUGINS_DIR, name))).toBe(true);
    const result = validatePluginConfig(dumpedSchema(name), plugin.config ?? {});
    if (!result.ok) throw new Error(`${name}: ${result.errors.join('; ')}`);
  });

  it('the validator rejects a broken aigw-proxy config, so the check above means something', () => {
    const broken = { signing_secret: 'short', models: [{ name: 'x', target: { provider: 'nope', base_url: 'ftp://x', model: 'm' } }] };
    const result = validatePluginConfig(dumpedSchema('aigw-proxy'), broken);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join(' ')).toMatch(/provider|base_url|signing_secret/);
  });
});

describe('every built plugin loads the way Kong 3.9 needs it', () => {
  const built = readdirSync(PLUGINS_DIR);

  it('builds one folder per plugin under plugins/', () => {
    expect(built.sort()).toEqual(readdirSync(join(ROOT, 'plugins')).sort());
  });

  it.each(built)('%s: its folder holds only its CommonJS file', (name) => {
    expect(readdirSync(join(PLUGINS_DIR, name))).toEqual([`${name}.js`]);
  });

  it.each(built)('%s: --dump-all-plugins prints exactly one plugin as pure JSON', (name) => {
    const out = execFileSync(SERVER, ['--plugins-directory', join(PLUGINS_DIR, name), '--dump-all-plugins'], { encoding: 'utf8' });
    // Kong decodes the whole of stdout with cjson: any stray byte stops it from starting.
    const dump = JSON.parse(out) as Array<{ Name: string; Version: string; Priority: number; Phases: string[] }>;
    expect(dump).toHaveLength(1);
    expect(dump[0].Name).toBe(name);
    expect(dump[0].Version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof dump[0].Priority).toBe('number');
    expect(dump[0].Phases).toContain('access');
    expect(dump[0].Phases).not.toContain('response'); // a response handler would buffer every stream
  });

  it.each(built)('%s: named exports only, nothing printed when loaded', (name) => {
    const file = join(PLUGINS_DIR, name, `${name}.js`);
    const probe = `const m = require(${JSON.stringify(file)}); process.stderr.write(JSON.stringify({ keys: Object.keys(m).sort(), plugin: typeof m.Plugin }))`;
    const result = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    const seen = JSON.parse(result.stderr) as { keys: string[]; plugin: string };
    expect(seen.keys).toEqual(['Plugin', 'Priority', 'Schema', 'Version']);
    expect(seen.plugin).toBe('function');
  });
});
