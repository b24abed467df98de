/**
 * Shared helpers for the static checks of the deployment files (kong/, docker-compose.yml,
 * deck/). These checks drive real tools from Debian (docker-compose, deck, promtool). A missing
 * tool is a FAILED test with a message saying what to install, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { parseKongConf } from '../harness/kong-double/kong-conf';
import type { KongSchema } from '../harness/kong-double/kong-schema';

import { REPO_ROOT } from '../harness/repo-root';

export { REPO_ROOT };

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Absolute path of a command-line tool, or an Error telling how to get it. */
export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(
      `'${command}' is not installed, so this static check cannot run. Install the Debian package ` +
        `'${debianPackage}' (apt-get install -y --no-install-recommends ${debianPackage}; ` +
        '`make test` does it through .ci/system-deps.sh). This is a failure, not a skip.',
    );
  }
  return path;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a minimal environment (PATH, HOME and what `env` adds). */
export function runTool(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...options.env },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function describeRun(what: string, r: RunResult): string {
  return `${what} exited ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Folders under plugins/: the one list of our Kong plugins. */
export function pluginFolders(): string[] {
  return readdirSync(repoPath('plugins'))
    .filter((entry) => !entry.startsWith('.') && statSync(repoPath('plugins', entry)).isDirectory())
    .sort();
}

/** A built plugin's config schema, as kong-js-pluginserver --dump-all-plugins reports it to Kong. */
export function dumpedSchema(name: string): KongSchema {
  const server = repoPath('node_modules', '.bin', 'kong-js-pluginserver');
  const out = execFileSync(server, ['--plugins-directory', repoPath('dist', 'kong-plugins', name), '--dump-all-plugins'], { encoding: 'utf8' });
  const dump = JSON.parse(out) as Array<{ Name: string; Schema: { fields: Array<{ config: { fields: KongSchema } }> } }>;
  if (dump.length !== 1 || dump[0].Name !== name) throw new Error(`${name}: the plugin server dumped ${dump.map((p) => p.Name).join(', ') || 'nothing'}`);
  return dump[0].Schema.fields[0].config.fields;
}

/** The kong.conf parser, shared with the Kong test double (which reads the same file). */
export { parseKongConf };

export function kongConf(): Map<string, string> {
  return parseKongConf(readRepoFile('kong', 'kong.conf'));
}

export function confList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The conf key prefix Kong derives from a plugin server name (conf_loader/init.lua). */
export function pluginServerKey(name: string): string {
  return `pluginserver_${name.toLowerCase().replace(/-/g, '_')}`;
}

/** Parses YAML with anchors and `<<` merge keys resolved, as compose does. */
export function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return doc.toJS({ maxAliasCount: -1 });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

/** Every `plugins:` entry anywhere in a decK document (global, service, route, consumer). */
export function deckPlugins(doc: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'plugins' && Array.isArray(value)) {
        for (const plugin of value) {
          if (isRecord(plugin)) found.push(plugin);
        }
      }
      visit(value);
    }
  };
  visit(doc);
  return found;
}

/** nginx size ("10m", "8k", "1024") in bytes. */
export function nginxSize(value: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  if (!m) throw new Error(`not an nginx size: "${value}"`);
  const unit = m[2].toLowerCase();
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * factor;
}
