/**
 * The end-to-end suite's remote mode, rehearsed without Docker: the stand-in (the local stack
 * running the end-to-end deck, in a process of its own like the compose stack) plays the running
 * gateway, and the suite connects to it as it would to real Kong. What real Kong does
 * differently only .github/workflows/e2e-real-kong.yml can tell.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { uniqueName } from '../e2e/helpers';
import { E2E_ONLY_MODEL, withAzureDeployments, withDeadRelayTwin, withShortParallelLeases } from '../harness/stack/e2e-deck';
import { connectStack, REMOTE_ENV, type RemoteGateway, remoteGateway } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { waitFor } from '../harness/wait-for';

const run = promisify(execFile);
let standIn: ChildProcess | undefined;
let env: Record<string, string> = {};

/** Starts test/docker/stand-in.ts and reads the variables it prints. */
async function startStandIn(): Promise<Record<string, string>> {
  // A local stack, even when this run itself is remote.
  const local = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(Object.values(REMOTE_ENV) as string[]).includes(name)));
  standIn = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'docker', 'stand-in.ts')], {
    cwd: REPO_ROOT,
    env: local,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const found: Record<string, string> = {};
  for await (const line of createInterface({ input: standIn.stdout! })) {
    const exported = /^export (\w+)=(.*)$/.exec(line);
    if (exported) found[exported[1]!] = exported[2]!;
    if (line.startsWith('# then')) return found;
  }
  throw new Error('the stand-in stopped before printing its variables');
}

const gateway = (): RemoteGateway => remoteGateway(env)!;

beforeAll(async () => {
  env = await startStandIn();
}, 90_000);

afterAll(async () => {
  if (!standIn || standIn.exitCode !== null) return;
  const exited = new Promise((resolve) => standIn!.once('exit', resolve));
  standIn.kill('SIGTERM');
  await exited;
}, 30_000);

describe('which gateway a run drives', () => {
  it('is local without AIGW_E2E_URL; a remote run names what else it needs', () => {
    expect(remoteGateway({})).toBeNull();
    expect(() => remoteGateway({ [REMOTE_ENV.url]: 'http://127.0.0.1:8000' })).toThrow(/AIGW_E2E_ADMIN_KEY and AIGW_E2E_MOCK_URL/);
    expect(remoteGateway({ ...env, [REMOTE_ENV.url]: `${env[REMOTE_ENV.url]}/` })?.url).toBe(env[REMOTE_ENV.url]);
  });
});

describe('a stack connected to a running gateway', () => {
  it('calls the control API through Kong, drives the mock synchronously and reads the usage log', async () => {
    const stack = await connectStack(gateway(), { env: {} });
    expect(stack.routing[E2E_ONLY_MODEL]).toBe('mock');
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('remote-mode') });
    expect(created.status).toBe(201);

    stack.mock.enqueue({ tokens: 3 });
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.body.key as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(3);
    const requestId = res.headers.get('x-kong-request-id');
    expect(stack.mock.requests.map((r) => r.path)).toEqual(['/v1/chat/completions']);
    expect(await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId))).toMatchObject({ outcome: 'ok' });

    stack.mock.reset();
    expect(stack.mock.requests).toEqual([]);
  });

  it('accepts the deck changes the end-to-end deck has, and refuses anything else a remote gateway cannot honour', async () => {
    for (const options of [{ sourceTransform: withAzureDeployments }, { deckTransform: withShortParallelLeases }, { deckTransform: withDeadRelayTwin(1) }]) {
      await expect(connectStack(gateway(), options)).resolves.toBeDefined();
    }
    await expect(connectStack(gateway(), { deckTransform: (deck) => deck })).rejects.toThrow(/deckTransform the end-to-end deck does not have/);
    await expect(connectStack(gateway(), { mockDefaults: { tokens: 1 } })).rejects.toThrow(/mockDefaults/);
    await expect(connectStack(gateway(), { env: { OPENAI_API_KEY: 'sk-real' } })).rejects.toThrow(/provider keys \(OPENAI_API_KEY\)/);
  });

  it('has no local processes or stores: touching one throws, naming it', async () => {
    const stack = await connectStack(gateway(), {});
    expect(() => stack.relay.url).toThrow(/stack\.relay\.url is not available against a remote gateway/);
    expect(() => stack.ingress.logs).toThrow(/stack\.ingress\.logs/);
    expect(() => stack.stores.redis.stop).toThrow(/stores\.redis\.stop/);
    expect(() => stack.planSecret).toThrow(/kong\/\.env/);
    const bare = await connectStack({ ...gateway(), redisUrl: undefined, databaseUrl: undefined, usageLog: undefined }, {});
    expect(() => bare.stores.redisUrl).toThrow(/AIGW_E2E_REDIS_URL/);
    expect(() => bare.stores.databaseUrl).toThrow(/AIGW_E2E_DATABASE_URL/);
    expect(() => bare.usageRecords()).toThrow(/AIGW_E2E_USAGE_LOG/);
  });
});

describe('the suite in remote mode', () => {
  it('runs an end-to-end file against the gateway, its local-only tests skipped with their reason', async () => {
    const jest = join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    const result = await run(process.execPath, [jest, 'test/e2e/gateway.test.ts', '--ci', '--runInBand', '--verbose'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    }).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/Tests: +2 skipped, \d+ passed, \d+ total/);
    expect(output).toContain("the test ingress [local only: reads the test double's log]");
    expect(output).toContain('the relay behind Kong [local only: calls the relay directly');
  }, 150_000);
});
