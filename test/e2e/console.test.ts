/**
 * The admin console in a real browser (Debian's Chromium through playwright-core) against the dev
 * stack, as an operator uses it: sign in with the admin key, create a team and a key (the secret
 * shown once, never again), call the gateway with that key through the official openai client,
 * find the request and its cost in the request log and the spend on the overview, rotate and
 * revoke the key and see the gateway refuse it, sign out. On the way: every page screenshotted
 * to test/artifacts/console/, checked by axe-core (no serious or critical violation), laid out
 * within a 1280 px window, with the CSP header present and nothing reported against it, and the
 * key in none of the browser's storage.
 */

import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { usd } from '../../sidecars/control/console/app/format';
import { mockDirective } from '../harness/mock-provider';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { browserStorage, launchChromium, overflowsHorizontally, type PageWatch, screenshot, seriousAxeViolations, watchPage } from './console-browser';
import { uniqueName } from './helpers';

let stack: DevStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: PageWatch;
let consoleUrl: string;

const teamName = uniqueName('console-team');
const keyAlias = uniqueName('console-key');
let keyId = '';
let secret = '';
/** What the key's one request cost, as the request log has it. */
let costUsd = 0;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDevStack({ guardrails: true, templates: true }), launchChromium()]);
  consoleUrl = `${stack.url}/console`;
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
  // A missing element fails its step in seconds, well inside the test's own timeout.
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  watch = await watchPage(page);
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

function openai(key: string): OpenAI {
  return new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });
}

const chat = (key: string) =>
  openai(key)
    .chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `hello ${mockDirective({ tokens: 8 })}` }] })
    .withResponse();

/** The status the gateway answers `key` with, through the openai client (its errors carry the status). */
async function statusFor(key: string): Promise<number> {
  try {
    await chat(key);
    return 200;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}

/** The page has its heading and nothing left loading. */
async function settled(): Promise<void> {
  await page.locator('main h1').first().waitFor();
  // A locator, not waitForFunction: that evaluates a string in the page, which the console's CSP refuses (no unsafe-eval).
  await page.locator('.state-loading').first().waitFor({ state: 'detached' });
}

async function visit(hash: string): Promise<void> {
  await page.goto(`${consoleUrl}#${hash}`);
  await settled();
}

/** axe, the 1280 px layout and a screenshot, for the page as it is. */
async function checkPage(name: string): Promise<void> {
  expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
  expect({ page: name, overflows: await overflowsHorizontally(page) }).toEqual({ page: name, overflows: false });
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function clickDialogButton(name: string): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name, exact: true }).click();
}

it('serves the console with a strict CSP, and the API refuses a browser without a session', async () => {
  const res = await fetch(consoleUrl);
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  const html = await res.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect((await fetch(`${stack.url}/admin/session`)).status).toBe(401);
  expect((await fetch(`${stack.url}/admin/keys`)).status).toBe(401);
});

it('signs in with the admin key, keeping it out of every browser storage', async () => {
  const response = await page.goto(consoleUrl);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
  await page.getByLabel('Admin key').waitFor();
  await checkPage('login');
  await page.getByLabel('Admin key').fill(stack.adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  await settled();
  expect(await page.getByLabel('Admin key').count()).toBe(0);
  expect(await browserStorage(page)).not.toContain(stack.adminKey);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'aigw_session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  expect(session?.value).not.toContain(stack.adminKey);
  // Sent to the control API only: never with the gateway's /v1 traffic or the console's files.
  expect((await context.cookies(`${stack.url}/v1/models`)).map((c) => c.name)).not.toContain('aigw_session');
  expect((await context.cookies(`${stack.url}/console/`)).map((c) => c.name)).not.toContain('aigw_session');
  // The API, called by the page itself, never echoes the key.
  const body = await page.evaluate("fetch('/admin/session').then((r) => r.text())");
  expect(body).not.toContain(stack.adminKey);
  await checkPage('overview-empty');
});

it('creates a team and a key in it, showing the secret once with a copy button', async () => {
  await visit('/teams');
  await page.getByRole('button', { name: 'Create team' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(teamName);
  await dialog.getByLabel('Budget (USD)').fill('10');
  await dialog.getByLabel('Budget period').fill('30d');
  await clickDialogButton('Create team');
  await page.getByRole('heading', { level: 1, name: teamName }).waitFor();
  await settled();

  await page.getByRole('link', { name: 'Create key in team' }).click();
  await page.getByRole('dialog').getByLabel('Alias', { exact: true }).fill(keyAlias);
  await page.getByRole('dialog').getByLabel('Budget (USD)').fill('5');
  await clickDialogButton('Create key');
  const shown = page.getByTestId('new-secret');
  await shown.waitFor();
  secret = (await shown.textContent())!.trim();
  expect(secret).toMatch(/^sk-aigw-/);
  await expect(page.getByRole('dialog').textContent()).resolves.toContain('you will not see this again');
  await clickDialogButton('Copy');
  await page.getByText('Copied to the clipboard.').waitFor();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
  await checkPage('key-created');
  await page.getByRole('dialog').getByRole('link', { name: 'Open the key' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(keyAlias) }).waitFor();
  keyId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
  expect(keyId).toMatch(/^[0-9a-f-]{36}$/);

  // Reloaded, the console knows the prefix and nothing more of the secret.
  await page.reload();
  await settled();
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text).toContain(secret.slice(0, 12));
  expect(text).not.toContain(secret);
  expect(await browserStorage(page)).not.toContain(secret);
  await checkPage('key');
});

it('shows a request made with the key through the openai client, with its cost, in the request log and the spend on the overview', async () => {
  const { data, response } = await chat(secret);
  expect(data.choices[0]?.message.content).toBeTruthy();
  const requestId = response.headers.get('x-kong-request-id')!;
  expect(requestId).toBeTruthy();

  await visit(`/requests?key_id=${keyId}`);
  const row = page.getByTestId('requests-table').getByRole('row').filter({ hasText: keyAlias });
  await waitFor(
    async () => {
      if ((await row.count()) > 0) return true;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await settled();
      return false;
    },
    15_000,
    'the request in the console request log',
  );
  await checkPage('requests');
  const logged = await stack.admin('GET', `/admin/requests/${requestId}`);
  costUsd = (logged.body as { cost_usd: number }).cost_usd;
  expect(costUsd).toBeGreaterThan(0);
  await row
    .first()
    .getByRole('link', { name: /Details/ })
    .click();
  await page.getByTestId('request-cost').waitFor();
  await settled();
  expect(await page.getByTestId('request-cost').textContent()).toBe(usd(costUsd));
  await checkPage('request');

  await visit('/overview');
  await waitFor(
    async () => {
      if ((await page.getByTestId('spend-today').textContent()) === usd(costUsd)) return true;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await settled();
      return false;
    },
    15_000,
    'the spend on the overview',
  );
  await page.locator('.chart').first().waitFor();
  await checkPage('overview');

  // The key's own page: all-time spend and the day's bar in its 30-day history.
  await visit(`/keys/${keyId}`);
  expect(await page.getByTestId('all-time-spend').textContent()).toBe(usd(costUsd));
  await page
    .getByText(`Spend per day, last 30 days (${usd(costUsd)})`)
    .first()
    .waitFor();
  await checkPage('key-with-spend');
});

it('rotates the key (the old secret refused, the new one served) and revokes it (refused)', async () => {
  await visit(`/keys/${keyId}`);
  await page.getByRole('button', { name: 'Rotate' }).click();
  await clickDialogButton('Rotate key');
  const shown = page.getByTestId('new-secret');
  await shown.waitFor();
  const rotated = (await shown.textContent())!.trim();
  expect(rotated).not.toBe(secret);
  await clickDialogButton('Done');
  await waitFor(async () => (await statusFor(secret)) === 401, 5000, 'the old secret refused after rotation');
  expect(await statusFor(rotated)).toBe(200);

  await page.getByRole('button', { name: 'Revoke' }).click();
  await clickDialogButton('Revoke key');
  await page.locator('main h1 .badge-revoked').waitFor();
  await waitFor(async () => (await statusFor(rotated)) === 401, 5000, 'the revoked key refused');
  await settled();
  await checkPage('key-revoked');
});

it('shows every other page without accessibility violations', async () => {
  await stack.admin('POST', '/admin/prompts', {
    name: uniqueName('console-prompt'),
    definition: { kind: 'chat', messages: [{ role: 'user', content: 'Say hi to {{name}}' }], variables: [{ name: 'name', default: 'you' }] },
    labels: ['production'],
  });
  for (const [hash, name] of [
    ['/teams', 'teams'],
    ['/keys', 'keys'],
    ['/models', 'models'],
    ['/spend', 'spend'],
    ['/prompts', 'prompts'],
    ['/cache', 'cache'],
    ['/guardrails', 'guardrails'],
    ['/audit', 'audit'],
  ] as const) {
    await visit(hash);
    await checkPage(name);
  }
  await visit('/teams');
  await page.getByRole('link', { name: teamName }).click();
  await settled();
  await checkPage('team');
  await visit('/prompts');
  await page.locator('main table a').first().click();
  await settled();
  await page.getByRole('button', { name: 'Render' }).click();
  await page.getByRole('heading', { name: 'Rendered' }).waitFor();
  await checkPage('prompt');
  // The audit log names what this console did.
  await visit('/audit');
  const audit = (await page.getByTestId('audit-table').textContent()) ?? '';
  for (const action of ['key.create', 'key.rotate', 'key.revoke', 'team.create']) expect(audit).toContain(action);
});

it('traps the focus in a dialog and closes it with Escape', async () => {
  await visit('/keys');
  const opener = page.getByRole('button', { name: 'Create key' });
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate("Boolean(document.activeElement?.closest('dialog')) || document.activeElement === document.body")).toBe(true);
  }
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  expect(await page.evaluate('document.activeElement?.textContent')).toBe('Create key');
});

it('signs out: the cookie is cleared and the API refuses the browser', async () => {
  await visit('/overview');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Admin key').waitFor();
  await page.getByText('You are signed out.').waitFor();
  expect((await context.cookies()).find((c) => c.name === 'aigw_session')).toBeUndefined();
  expect(await page.evaluate("fetch('/admin/session').then((r) => r.status)")).toBe(401);
  expect(await page.evaluate("fetch('/admin/keys').then((r) => r.status)")).toBe(401);
});

it('sends the console back to sign-in with a message when its session is ended elsewhere (the admin key revoked)', async () => {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('console-admin'), role: 'admin' });
  const admin = created.body as { id: string; key: string };
  await page.goto(consoleUrl);
  await page.getByLabel('Admin key').fill(admin.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  expect((await stack.admin('POST', `/admin/keys/${admin.id}/revoke`, {})).status).toBe(200);
  // The next API call (this page's, or one still in flight) is refused: 401 session_revoked.
  await page.evaluate("location.hash = '#/keys'");
  await page.getByText('Your session has expired or was ended').waitFor();
  expect(await page.getByLabel('Admin key').inputValue()).toBe('');
});

it('reported no CSP violation and no script error on any page', () => {
  expect(watch.cspViolations).toEqual([]);
  expect(watch.errors).toEqual([]);
});
