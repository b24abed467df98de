/**
 * Every plugin config in deck/kong.yaml must validate against that plugin's own Schema, as the
 * built plugin reports it through kong-js-pluginserver --dump-all-plugins (what Kong reads).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeckFile, parseDeck } from '../ingress/deck';
import { validatePluginConfig, type KongSchema } from '../ingress/kong-schema';

const ROOT = join(__dirname, '..', '..');
const PLUGINS_DIR = join(ROOT, 'dist', 'kong-plugins');
const SERVER = join(ROOT, 'node_modules', '.bin', 'kong-js-pluginserver');

function dumpedSchema(name: string): KongSchema {
  const out = execFileSync(SERVER, ['--plugins-directory', join(PLUGINS_DIR, name), '--dump-all-plugins'], { encoding: 'utf8' });
  const dump = JSON.parse(out) as Array<{ Name: string; Schema: { fields: Array<{ config: { fields: KongSchema } }> } }>;
  expect(dump).toHaveLength(1);
  expect(dump[0].Name).toBe(name);
  return dump[0].Schema.fields[0].config.fields;
}

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
