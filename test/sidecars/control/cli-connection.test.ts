/**
 * Where `aigw` sends the admin key: the environment, else the URL `make dev` wrote next to its
 * key. The dev key never goes to :8000 while the gateway runs elsewhere, and a key from the
 * environment never goes to the dev URL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionFrom, DEFAULT_ADMIN_URL, devDir } from '../../../sidecars/control/cli/connection';

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'aigw-conn-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function devRun(files: { key?: string; url?: string }): void {
  mkdirSync(devDir(repo), { recursive: true });
  if (files.key) writeFileSync(join(devDir(repo), 'admin-key'), files.key + '\n');
  if (files.url) writeFileSync(join(devDir(repo), 'admin-url'), files.url + '\n');
}

it('uses the URL make dev wrote with the key make dev wrote', () => {
  devRun({ key: 'sk-aigw-dev', url: 'http://127.0.0.1:18000' });
  expect(connectionFrom({}, repo)).toEqual({ baseUrl: 'http://127.0.0.1:18000', adminKey: 'sk-aigw-dev' });
});

it('AIGW_ADMIN_URL wins over the dev URL', () => {
  devRun({ key: 'sk-aigw-dev', url: 'http://127.0.0.1:18000' });
  expect(connectionFrom({ AIGW_ADMIN_URL: 'https://gw.example' }, repo)).toEqual({ baseUrl: 'https://gw.example', adminKey: 'sk-aigw-dev' });
});

it('a key from AIGW_ADMIN_KEY is not sent to the dev URL', () => {
  devRun({ key: 'sk-aigw-dev', url: 'http://127.0.0.1:18000' });
  expect(connectionFrom({ AIGW_ADMIN_KEY: 'sk-aigw-prod' }, repo)).toEqual({ baseUrl: DEFAULT_ADMIN_URL, adminKey: 'sk-aigw-prod' });
});

it('without make dev: the default URL, and no key', () => {
  expect(connectionFrom({}, repo)).toEqual({ baseUrl: 'http://127.0.0.1:8000', adminKey: null });
  devRun({ url: 'http://127.0.0.1:18000' }); // a URL without its key is not used
  expect(connectionFrom({}, repo)).toEqual({ baseUrl: DEFAULT_ADMIN_URL, adminKey: null });
});
