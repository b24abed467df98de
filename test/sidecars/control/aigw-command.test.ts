/**
 * The `aigw` command `make dev` puts on PATH (sidecars/control/cli/install-command.sh): it runs
 * the CLI of the checkout the current folder is in, is installed where PATH looks, and never
 * replaces another program's `aigw`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/stack/sidecar-process';

const INSTALL = join(REPO_ROOT, 'sidecars', 'control', 'cli', 'install-command.sh');
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'aigw-command-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd ?? scratch, env: opts.env, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const basePath = process.env.PATH ?? '/usr/bin:/bin';

it("installs into AIGW_BIN_DIR; run inside the checkout (or below it) it is that checkout's CLI; outside, it says so", async () => {
  const bin = join(scratch, 'bin');
  const installed = await run('sh', [INSTALL], { env: { PATH: basePath, AIGW_BIN_DIR: bin } });
  expect(installed).toEqual({ code: 0, stdout: `aigw: command installed in ${bin}\n`, stderr: '' });
  expect(statSync(join(bin, 'aigw')).mode & 0o777).toBe(0o755);
  const env = { PATH: `${bin}:${basePath}`, HOME: scratch };

  for (const cwd of [REPO_ROOT, join(REPO_ROOT, 'test', 'sidecars', 'control')]) {
    const help = await run('aigw', ['--help'], { cwd, env });
    expect({ cwd, code: help.code, usage: help.stdout.includes('Usage: aigw <command>') }).toEqual({ cwd, code: 0, usage: true });
  }
  const outside = await run('aigw', ['--help'], { cwd: scratch, env });
  expect(outside.code).toBe(127);
  expect(outside.stderr).toMatch(/run it inside a checkout of the AI gateway/);

  // Installing again changes nothing and says nothing.
  expect(await run('sh', [INSTALL], { env: { PATH: basePath, AIGW_BIN_DIR: bin } })).toEqual({ code: 0, stdout: '', stderr: '' });
});

it('a checkout without a build: the command says to build it', async () => {
  const checkout = join(scratch, 'checkout');
  mkdirSync(join(checkout, 'sidecars', 'control'), { recursive: true });
  writeFileSync(join(checkout, 'sidecars', 'control', 'cli.ts'), '');
  writeFileSync(join(checkout, 'package.json'), '{}');
  const bin = join(scratch, 'bin');
  await run('sh', [INSTALL], { env: { PATH: basePath, AIGW_BIN_DIR: bin } });
  const r = await run('aigw', ['keys', 'list'], { cwd: checkout, env: { PATH: `${bin}:${basePath}` } });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 127, stderr: expect.stringMatching(/has no build yet: run `make build`/) });
});

it('without AIGW_BIN_DIR: ~/.local/bin when it is on PATH; nowhere (with a hint, not a failure) when no such folder is', async () => {
  const localBin = join(scratch, '.local', 'bin');
  mkdirSync(localBin, { recursive: true });
  const chosen = await run('sh', [INSTALL], { env: { HOME: scratch, PATH: `${localBin}:/usr/bin:/bin` } });
  expect(chosen).toEqual({ code: 0, stdout: `aigw: command installed in ${localBin}\n`, stderr: '' });

  const nowhere = await run('sh', [INSTALL], { env: { HOME: join(scratch, 'elsewhere'), PATH: '/usr/bin:/bin' } });
  expect(nowhere.code).toBe(0);
  expect(nowhere.stderr).toMatch(/no writable folder on PATH.*AIGW_BIN_DIR/);
});

it('leaves an aigw it did not install alone', async () => {
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'aigw'), '#!/bin/sh\necho someone else\n', { mode: 0o755 });
  const r = await run('sh', [INSTALL], { env: { PATH: basePath, AIGW_BIN_DIR: bin } });
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/exists and is not this project's command; left alone/);
  expect(readFileSync(join(bin, 'aigw'), 'utf8')).toContain('someone else');
});
