/**
 * The schema each built plugin reports through kong-js-pluginserver --dump-all-plugins (what Kong
 * stores, validates configs against and Kong Manager renders) is pinned, byte for byte, in
 * fixtures/plugin-schemas.json. A change to a plugin's config must change that file on purpose:
 * refactoring how the schema is declared (lib/kong/schema-builder.ts) must not.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/repo-root';

const ROOT = REPO_ROOT;
const SERVER = join(ROOT, 'node_modules', '.bin', 'kong-js-pluginserver');
const pinned = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'plugin-schemas.json'), 'utf8')) as Record<string, unknown>;

describe('dumped plugin schemas', () => {
  it.each(Object.keys(pinned))('%s reports exactly the pinned schema', (name) => {
    const out = execFileSync(SERVER, ['--plugins-directory', join(ROOT, 'dist', 'kong-plugins', name), '--dump-all-plugins'], { encoding: 'utf8' });
    const [plugin] = JSON.parse(out) as Array<{ Schema: unknown }>;
    // Serialised: the order of fields and of their attributes is part of what Kong Manager shows.
    expect(JSON.stringify(plugin.Schema, null, 2)).toBe(JSON.stringify(pinned[name], null, 2));
  });
});
