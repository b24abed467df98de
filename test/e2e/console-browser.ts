/**
 * The admin console's browser tests' tools: Debian's Chromium through playwright-core, axe-core
 * run inside the page, screenshots to test/artifacts/console/, and the security watches (CSP
 * violations, secrets in browser storage).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../harness/stack/sidecar-process';

export const CHROMIUM_PATH = process.env.AIGW_CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts', 'console');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless=new', '--no-sandbox'] });
}

/** What the page reported against its CSP or threw: a console that works under its own policy reports nothing. */
export interface PageWatch {
  cspViolations: string[];
  errors: string[];
}

/**
 * Listens for CSP violations (the `securitypolicyviolation` event, registered before any page
 * script through an init script, which the DevTools protocol runs outside the page's CSP) and
 * for console errors and uncaught exceptions.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { cspViolations: [], errors: [] };
  await page.exposeBinding('__aigwCspViolation', (_source, text: string) => void watch.cspViolations.push(text));
  // Browser-side code as text: this program's types are Node's, not the DOM's.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.__aigwCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));",
  );
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) watch.cspViolations.push(text);
    // A refused API call (401 after logout, the probes of a 4xx) is logged by Chromium as a failed resource: expected, not a page error.
    else if (!/Failed to load resource/.test(text)) watch.errors.push(text);
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  return watch;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. axe's source is evaluated
 * through the DevTools protocol (page.evaluate), not added as a <script>: the console's CSP
 * refuses inline scripts, and the test must not weaken it.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
  })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Everything script can read of the browser's storage: the key must be in none of it. */
export async function browserStorage(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const dump = (s) => Array.from({ length: s.length }, (_, i) => s.key(i) + '=' + s.getItem(s.key(i))).join('\\n');
    return [dump(localStorage), dump(sessionStorage), document.cookie].join('\\n');
  })()`)) as string;
}

/** Whether the page is wider than the window (a layout that does not fit a laptop screen). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1')) as boolean;
}
