/**
 * `make dev` as a newcomer runs it: first thing in a fresh checkout (no dist, no .tmp), on moved
 * ports. It installs what it runs, builds, puts `aigw` on PATH and prints a ready line; the
 * configured models answer from the mock; one live line per request follows, never with a key,
 * a prompt or a completion; the README's `aigw` lines work as written against it (the CLI finds
 * the moved gateway by itself); Ctrl-C stops everything and removes the keys it wrote.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localOnly } from '../harness/stack/remote-stack';
import { freePort, REPO_ROOT } from '../harness/stack/sidecar-process';
import { freePortsForLater } from '../harness/stores/ports';
import { waitFor } from '../harness/wait-for';

const local = localOnly('runs `make dev` on this machine');

async function portRefuses(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return false;
  } catch {
    return true;
  }
}

/** The tree as a fresh clone of it has it: tracked and new files, nothing ignored (no dist, .tmp); node_modules shared. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-fresh-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT }).toString().split('\0');
  for (const file of files.filter(Boolean)) {
    if (!existsSync(join(REPO_ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The README's `aigw` lines (continuations joined), except those with a placeholder for the reader's own setup. */
function readmeCliLines(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The `aigw` CLI'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /(^|\s)aigw\s/.test(line) && !line.includes('...'));
}

/** The live log's line for a request (clock, then its id): not a component's line that names the id too. */
const requestLine = (id: string): RegExp => new RegExp(`^\\S+ ${id} .*$`, 'm');

/** Collects a stream and resolves when it has shown a match. */
class Output {
  text = '';
  private waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];

  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.text += chunk;
      this.waiters = this.waiters.filter((w) => {
        const m = w.pattern.exec(this.text);
        if (m) w.resolve(m);
        return !m;
      });
    });
  }

  waitFor(pattern: RegExp, what: string, child: ChildProcess, timeoutMs: number): Promise<RegExpExecArray> {
    const m = pattern.exec(this.text);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} not seen within ${timeoutMs} ms:\n${this.text}`)), timeoutMs);
      const exited = (): void => reject(new Error(`make dev exited before ${what}:\n${this.text}`));
      child.once('exit', exited);
      this.waiters.push({
        pattern,
        resolve: (found) => {
          clearTimeout(timer);
          child.off('exit', exited);
          resolve(found);
        },
      });
    });
  }
}

function sh(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let checkout = '';
afterAll(() => {
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});

local.it(
  'first thing in a fresh checkout, on moved ports: serves, logs each request without secrets, the README CLI lines work, Ctrl-C stops it',
  async () => {
    checkout = freshCheckout();
    const bin = join(checkout, '.bin-for-test');
    // Bound only after the build: ports the kernel does not hand out meanwhile.
    const [gateway, relay, mock, control, inferenceGrpc, inferenceMetrics, cacheMetrics, prometheusPort] = await freePortsForLater(8);
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: process.env.HOME ?? '/tmp',
      AIGW_BIN_DIR: bin,
      AIGW_DEV_PORT: String(gateway),
      RELAY_PORT: String(relay),
      AIGW_DEV_MOCK_PORT: String(mock),
      CONTROL_PORT: String(control),
      INFERENCE_GRPC_PORT: String(inferenceGrpc),
      INFERENCE_METRICS_PORT: String(inferenceMetrics),
      AIGW_PLUGIN_METRICS_PORTS: `aigw-semantic-cache=${cacheMetrics}`,
      AIGW_DEV_PROMETHEUS_PORT: String(prometheusPort),
      // A shell set up for the remote end-to-end run: make dev still starts this machine's gateway.
      AIGW_E2E_URL: 'http://127.0.0.1:9',
    };
    // Its own process group, as a terminal runs it, so Ctrl-C (SIGINT to the group) reaches make and everything it started.
    // `-o`: the shared node_modules is taken as installed (npm ci there would replace the suite's own).
    const child = spawn('make', ['-o', 'node_modules/.package-lock.json', 'dev'], { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout = new Output(child.stdout!);
    const stderr = new Output(child.stderr!);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const devFiles = join(checkout, '.tmp', 'dev');
    try {
      await stdout.waitFor(/Ctrl-C stops everything\.\n/, 'the ready line', child, 180_000);
      const ready = stdout.text.slice(stdout.text.indexOf('AI gateway ready'));
      // What it installed, built and put on PATH before starting.
      expect(stdout.text.indexOf('bash .ci/system-deps.sh redis-server postgresql-15')).toBeGreaterThanOrEqual(0);
      expect(stdout.text).toContain(`aigw: command installed in ${bin}`);
      expect(ready).toContain(`AI gateway ready on http://127.0.0.1:${gateway}`);
      expect(ready).toContain(`inference sidecar on 127.0.0.1:${inferenceGrpc}`);
      expect(ready).toMatch(/gpt-4o-mini\s+-> mock provider/);
      expect(ready).toContain(`admin console: http://127.0.0.1:${gateway}/console (log in with the admin key in ${join(devFiles, 'admin-key')})`);
      expect(ready).toContain(`curl -sN http://127.0.0.1:${gateway}/v1/chat/completions`);
      expect(ready).toContain('"prompt":{"id":"dev-support","variables":{"company":"Initech"}}');
      const userKeyFile = /a user key for trying it out: (\S+)/.exec(ready)![1]!;
      expect(userKeyFile).toBe(join(devFiles, 'user-key'));
      const userKey = readFileSync(userKeyFile, 'utf8').trim();
      expect(statSync(userKeyFile).mode & 0o777).toBe(0o600);
      const adminKey = readFileSync(join(devFiles, 'admin-key'), 'utf8').trim();

      // One live line per request, joined with the relay's usage record; a refusal with its code.
      const unauthenticated = await fetch(`http://127.0.0.1:${gateway}/v1/models`);
      expect(unauthenticated.status).toBe(401);
      const prompt = 'a prompt that must never be logged 7c41';
      const res = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions?note=query-never-logged`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }),
      });
      expect(res.status).toBe(200);
      const completion = (await res.json()) as { object: string; choices: Array<{ message: { content: string } }> };
      expect(completion.object).toBe('chat.completion');
      const refusedId = unauthenticated.headers.get('x-kong-request-id')!;
      const servedId = res.headers.get('x-kong-request-id')!;
      const refusedLine = await stdout.waitFor(requestLine(refusedId), "the refused request's line", child, 10_000);
      expect(refusedLine[0]).toMatch(
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${refusedId} 401 GET /v1/models route=openai-models model=- error=missing_api_key \\d+ms$`),
      );
      const servedLine = await stdout.waitFor(requestLine(servedId), "the served request's line", child, 10_000);
      expect(servedLine[0]).toMatch(
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${servedId} 200 POST /v1/chat/completions route=openai-chat-completions model=gpt-4o-mini via=openai/\\S+ tokens=\\d+\\+\\d+ cost=\\$\\d+\\.\\d{6} \\d+ms$`,
        ),
      );

      // The seeded example template, as the ready output shows it: rendered, with its default model.
      const templated = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
        body: JSON.stringify({ prompt: { id: 'dev-support', variables: { company: 'Initech' } }, messages: [{ role: 'user', content: 'How do I reset it?' }] }),
      });
      expect(templated.status).toBe(200);
      expect(((await templated.json()) as { model: string }).model).toMatch(/gpt-4o-mini/);

      // A newcomer's long prompt is compressed on the default chat route, and the live line says so.
      const long = `${Array.from({ length: 80 }, (_, i) => `Paragraph ${i} of the design notes repeats what the team agreed on Tuesday.`).join('\n\n')}\n\nWhat did the team agree on?`;
      const compressed = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] }),
      });
      expect(compressed.status).toBe(200);
      await compressed.arrayBuffer();
      // The first call may meet a cold sidecar on a loaded machine and fail open: either way the header names the method.
      expect(compressed.headers.get('x-aigw-compression')).toMatch(/^method=question_aware; (original=\d+; compressed=\d+|failed=\w+)$/);
      const compressedId = compressed.headers.get('x-kong-request-id')!;
      const compressedLine = await stdout.waitFor(requestLine(compressedId), "the compressed request's line", child, 10_000);
      expect(compressedLine[0]).toMatch(/ (compressed=question_aware-\d+\(saved \$\d+\.\d{6}\)|compression=question_aware:failed_open) \d+ms$/);

      // The same question twice: the second answer comes from the semantic cache.
      const ask = () =>
        fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Which port does make dev use?' }] }),
        });
      const firstAsk = await ask();
      expect(firstAsk.headers.get('x-cache-status')).toBe('Miss');
      await firstAsk.arrayBuffer();
      // The relay fills after the answer: ask again until the fill has landed.
      await waitFor(
        async () => {
          const again = await ask();
          await again.arrayBuffer();
          return again.headers.get('x-cache-status') === 'Hit';
        },
        5000,
        'a cache hit on the repeated question',
      );
      // The cache plugin's server counts it on its own metrics port (Prometheus scrapes it in the Docker stack).
      const cacheSeries = await (await fetch(`http://127.0.0.1:${cacheMetrics}/metrics`)).text();
      expect(cacheSeries).toMatch(/^aigw_cache_lookups_total\{result="hit",kind="(exact|semantic)"\} [1-9]/m);
      // Prometheus scrapes the cache plugin's server (and every other component) at this run's ports.
      expect(ready).toContain(`Prometheus on http://127.0.0.1:${prometheusPort}`);
      await waitFor(
        async () => {
          const query = encodeURIComponent('aigw_cache_lookups_total{job="plugin-servers",plugin="aigw-semantic-cache",result="hit"}');
          const answer = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${query}`)).json()) as { data: { result: unknown[] } };
          return answer.data.result.length > 0 || undefined;
        },
        15_000,
        'Prometheus to have scraped the cache hit',
      );

      // The README's CLI lines as written, from the checkout, with nothing but PATH set for them.
      const cliEnv: NodeJS.ProcessEnv = { PATH: env.PATH, HOME: env.HOME };
      const lines = readmeCliLines();
      expect(lines.map((l) => /^aigw (\w+ [\w-]+)/.exec(l)?.[1])).toEqual([
        'teams create',
        'teams info',
        'teams update',
        'keys create',
        'keys info',
        'keys rotate',
        'keys revoke',
        'spend --group-by',
        'logs --team',
        undefined, // aigw logs <request-id>
        'audit --action',
        'teams delete',
        'prompts show',
        'prompts update',
        'prompts render',
        'prompts diff',
        'prompts label',
        'prompts list',
      ]);
      let keyId = '';
      for (const written of lines) {
        const line = written.replace(/<id>/g, keyId).replace(/<request-id>/g, servedId);
        const r = await sh(line, checkout, cliEnv);
        expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
        if (/aigw keys create/.test(line)) keyId = /^id\s+(\S+)$/m.exec(r.stdout)![1]!;
      }
      expect(keyId).toMatch(/^[0-9a-f-]{36}$/);

      const logged = stdout.text.slice(stdout.text.indexOf('Ctrl-C stops everything.')) + stderr.text;
      for (const secret of [userKey, adminKey, prompt, 'query-never-logged', completion.choices[0]!.message.content]) {
        expect(logged.includes(secret)).toBe(false);
      }
    } finally {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    for (const port of [gateway, relay, mock, control, inferenceMetrics, cacheMetrics]) expect(await portRefuses(port)).toBe(true);
    expect(['admin-key', 'admin-url', 'user-key'].filter((name) => existsSync(join(devFiles, name)))).toEqual([]);
  },
  300_000,
);

local.it(
  'without redis-server: fails at once, naming it and how to get it',
  async () => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['test/harness/stack/dev.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AIGW_TEST_REDIS_SERVER: '/nonexistent/redis-server',
        AIGW_DEV_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = new Output(child.stderr!);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.text.trim()).toBe(
      "make dev failed: /nonexistent/redis-server not found (or not executable): install Debian's redis-server " +
        '(`make dev` and `make test` install it when run as root; or `apt-get install redis-server`), or set AIGW_TEST_REDIS_SERVER to where it is',
    );
  },
  60_000,
);
