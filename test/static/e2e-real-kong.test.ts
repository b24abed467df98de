/**
 * The end-to-end run against real Kong (test/docker/, .github/workflows/e2e-real-kong.yml) needs
 * a Docker engine; this checks, without one, what it is made of: the compose overlay resolves
 * with docker-compose.yml and wires the mock, the relay, the stores and the deck the way the
 * suite expects; the mock's image builds from files that exist; the generated deck passes decK
 * and the plugins' own schemas; the workflow parses and names only make targets, files, ports
 * and variables that exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { parse } from 'yaml';
import { parseDeck } from '../harness/kong-double/deck';
import { validatePluginConfig } from '../harness/kong-double/kong-schema';
import { MOCK_CREDENTIAL } from '../harness/stack/deck-for-dev';
import { E2E_ONLY_MODEL, MOCK_URL_IN_STACK } from '../harness/stack/e2e-deck';
import { REMOTE_ENV } from '../harness/stack/remote-stack';
import {
  CREDENTIAL,
  composeConfig,
  composeVariables,
  dummyEnvFile,
  environmentOf,
  LOOPBACK,
  providerVariables,
  publishedPorts,
  services,
} from './compose-helpers';
import { asRecord, describeRun, dumpedSchema, isRecord, parseYaml, readRepoFile, repoPath, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

const OVERLAY = 'test/docker/compose.e2e.yml';
const FILES = ['docker-compose.yml', OVERLAY];
const WORKFLOW_FILE = '.github/workflows/e2e-real-kong.yml';
const VARIABLES = [...new Set(FILES.flatMap((file) => composeVariables(readRepoFile(file)).referenced))].sort();
const REQUIRED = [...new Set(FILES.flatMap((file) => composeVariables(readRepoFile(file)).required))].sort();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const workflow = asRecord(parse(readRepoFile(WORKFLOW_FILE)), WORKFLOW_FILE);
const job = asRecord(asRecord(workflow.jobs, 'jobs').e2e, 'jobs.e2e');
const steps = job.steps as Step[];
const jobEnv = asRecord(job.env, 'jobs.e2e.env') as Record<string, string>;
const scripts = steps.map((s) => s.run ?? '').join('\n');

/** Every variable the workflow gives later steps (`echo "NAME=…" >> "$GITHUB_ENV"`) or sets on a step. */
function workflowVariables(): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of scripts.matchAll(/echo "([A-Z0-9_]+)=([^"]*)" >> "\$GITHUB_ENV"/g)) found.set(m[1], m[2]);
  for (const step of steps) for (const [name, value] of Object.entries(step.env ?? {})) found.set(name, String(value));
  return found;
}

function portOf(url: string): string {
  return new URL(url.replace(/\$\w+/g, 'x')).port;
}

describe(`${OVERLAY} on docker-compose.yml`, () => {
  let resolved: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    // The deck service is in the `sync` profile: named here so that it is resolved too.
    const r = composeConfig(dummyEnvFile(VARIABLES), ['--profile', 'sync', 'config'], FILES);
    if (r.status !== 0) throw new Error(describeRun(`docker-compose -f ${FILES.join(' -f ')} config`, r));
    resolved = services(parseYaml(r.stdout));
  });

  test('docker-compose config accepts both files together, and refuses without AIGW_E2E_DIR, naming it', () => {
    expect(Object.keys(resolved)).toEqual(expect.arrayContaining(['kong', 'relay', 'control', 'deck', 'mock']));
    expect(REQUIRED).toContain('AIGW_E2E_DIR');
    const r = composeConfig(dummyEnvFile(VARIABLES, 'AIGW_E2E_DIR'), ['config', '-q'], FILES);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('AIGW_E2E_DIR');
  });

  test('the mock: built from this repository, on the compose network, published on loopback only, checked without being recorded', () => {
    const mock = resolved.mock;
    expect(mock.build).toEqual({ context: repoPath(), dockerfile: 'test/docker/mock.Dockerfile' });
    expect(mock.network_mode).toBeUndefined();
    const env = environmentOf(mock);
    expect(env.MOCK_API_KEY).toMatch(/^sk-mock-/);
    // What the relay dials (test/harness/stack/e2e-deck.ts) is this service's name and port.
    expect(MOCK_URL_IN_STACK).toBe(`http://mock:${env.MOCK_PORT}`);
    expect(publishedPorts(mock)).toEqual([{ hostIp: '127.0.0.1', published: expect.any(String), target: env.MOCK_PORT }]);
    // Every HTTP request reaches the mock's record; the health check only opens a connection.
    const check = JSON.stringify(asRecord(mock.healthcheck, 'mock healthcheck').test);
    expect(check).toContain(`connect(${env.MOCK_PORT}`);
    expect(check).not.toMatch(/fetch|http/);
    expect(mock.restart).toBe('unless-stopped');
  });

  test("the relay: still in Kong's network namespace, with the mock's key under the dev deck's credential name, allowed", () => {
    const relay = resolved.relay;
    expect(relay.network_mode).toBe('service:kong');
    expect(resolved.control.network_mode).toBe('service:kong');
    const env = environmentOf(relay);
    expect(env[MOCK_CREDENTIAL]).toBe(environmentOf(resolved.mock).MOCK_API_KEY);
    const base = composeConfig(dummyEnvFile(VARIABLES), ['config'], ['docker-compose.yml']);
    const baseList = environmentOf(services(parseYaml(base.stdout)).relay).RELAY_CREDENTIALS.split(',');
    expect(env.RELAY_CREDENTIALS.split(',')).toEqual([...baseList, MOCK_CREDENTIAL]);
    // The usage log is written where the tests' folder is mounted.
    const mounts = (relay.volumes as Array<Record<string, unknown>>).filter((v) => v.type === 'bind');
    expect(mounts.map((v) => v.target)).toContain(env.RELAY_USAGE_LOG.replace(/\/[^/]+$/, ''));
  });

  test('only Kong proxy port 8000 is published on a non-loopback interface; provider keys reach the relay only', () => {
    const exposed = Object.entries(resolved).flatMap(([name, svc]) =>
      publishedPorts(svc)
        .filter((p) => !LOOPBACK.has(p.hostIp) && !(name === 'kong' && p.target === '8000'))
        .map((p) => `${name}: ${JSON.stringify(p)}`),
    );
    expect(exposed).toEqual([]);
    for (const [name, svc] of Object.entries(resolved)) {
      if (name === 'relay') continue;
      const text = JSON.stringify(svc);
      expect({ service: name, leaks: providerVariables().filter((v) => text.includes(`sentinel-${v.toLowerCase()}`)) }).toEqual({ service: name, leaks: [] });
      const credentials = Object.keys(environmentOf(svc)).filter((k) => CREDENTIAL.test(k));
      expect({ service: name, credentials }).toEqual({ service: name, credentials: name === 'mock' ? ['MOCK_API_KEY'] : [] });
    }
  });

  test('decK syncs the generated deck from the mounted folder, only when run', () => {
    const deck = resolved.deck;
    expect(deck.profiles).toEqual(['sync']);
    const command = deck.command as string[];
    expect(command.slice(0, 2)).toEqual(['gateway', 'sync']);
    const mounts = (deck.volumes as Array<Record<string, unknown>>).filter((v) => v.type === 'bind' && v.read_only === true);
    expect(mounts.map((v) => `${String(v.target)}/kong.yaml`)).toContain(command[2]);
  });

  test("the workflow's URLs use the ports the overlay publishes, and the deck's mock URL", () => {
    const vars = workflowVariables();
    const published = (service: string): string => publishedPorts(resolved[service])[0]?.published ?? '';
    expect(portOf(vars.get(REMOTE_ENV.mockUrl)!)).toBe(published('mock'));
    expect(portOf(vars.get(REMOTE_ENV.redisUrl)!)).toBe(published('redis'));
    expect(portOf(vars.get(REMOTE_ENV.databaseUrl)!)).toBe(published('postgres'));
    expect(portOf(vars.get(REMOTE_ENV.url)!)).toBe(publishedPorts(resolved.kong).find((p) => p.target === '8000')?.published);
    expect(scripts).toContain(`--mock-url ${MOCK_URL_IN_STACK}`);
  });
});

describe('the mock image (test/docker/mock.Dockerfile)', () => {
  const dockerfile = readRepoFile('test', 'docker', 'mock.Dockerfile').replace(/\\\n/g, ' ');
  const ignored = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  test('copies only files that exist and that .dockerignore lets into the build context', () => {
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(repoPath(source)) }).toEqual({ source, exists: true });
      const hit = ignored.find((pattern) => {
        const bare = pattern.replace(/^\*\*\//, '');
        return bare.startsWith('*.') ? source.endsWith(bare.slice(1)) : source === bare || source.startsWith(`${bare}/`) || source.includes(`/${bare}/`);
      });
      expect({ source, ignoredBy: hit }).toEqual({ source, ignoredBy: undefined });
    }
  });

  test('its bundle step builds here, and the file it makes is the one the image runs', () => {
    const bundle = /RUN (node_modules\/\.bin\/esbuild .+--outfile=(\S+))/.exec(dockerfile);
    expect(bundle).not.toBeNull();
    const out = writeTemp(tempDir('aigw-mock-image-'), 'mock.js', '');
    const args = bundle![1]
      .split(/\s+/)
      .slice(1)
      .map((a) => (a.startsWith('--outfile=') ? `--outfile=${out}` : a));
    execFileSync(repoPath('node_modules', '.bin', 'esbuild'), args, { cwd: repoPath() });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('__mock/enqueue');
    // Nothing to require from node_modules at run time: the runtime stage has none.
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1].replace(/^node:/, ''));
    expect(required.filter((name) => !builtinModules.includes(name))).toEqual([]);
    expect(dockerfile).toContain(`COPY --from=build /src/${bundle![2]} /app/mock.js`);
    expect(dockerfile).toMatch(/CMD \["node", "\/app\/mock\.js"\]/);
  });

  test("its first build steps are sidecars/relay/Dockerfile's, so BuildKit shares that npm ci", () => {
    const buildStage = (text: string): string[] => {
      const lines = text
        .replace(/\\\n/g, ' ')
        .split('\n')
        .filter((l) => /^(FROM|RUN|WORKDIR|ENV|COPY)/.test(l));
      const end = lines.findIndex((l) => /^RUN npm ci/.test(l));
      return lines.slice(0, end + 1).map((l) => l.replace(/\s+/g, ' ').trim());
    };
    const ours = buildStage(readRepoFile('test', 'docker', 'mock.Dockerfile'));
    expect(ours.length).toBeGreaterThan(3);
    expect(ours).toEqual(buildStage(readRepoFile('sidecars', 'relay', 'Dockerfile')));
  });
});

describe('the generated end-to-end deck (npx tsx test/harness/stack/e2e-deck.ts)', () => {
  const text = execFileSync(repoPath('node_modules', '.bin', 'tsx'), ['test/harness/stack/e2e-deck.ts', '--mock-url', MOCK_URL_IN_STACK], {
    cwd: repoPath(),
    encoding: 'utf8',
  });
  const doc = asRecord(parse(text), 'e2e deck');
  const parsed = parseDeck(doc);

  test('decK 1.4.0 validates it', () => {
    const file = writeTemp(tempDir('aigw-e2e-deck-'), 'kong.yaml', text);
    const r = runTool(requireTool('deck', 'deck'), ['validate', '--no-color', '-s', file]);
    if (r.status !== 0) throw new Error(describeRun(`deck validate -s ${file}`, r));
  });

  test("every model goes to the mock as the relay sees it, with the dev deck's credential, and the sidecars stay on Kong's loopback", () => {
    const targets = parsed.plugins
      .filter((p) => p.name === 'aigw-proxy')
      .flatMap((p) => asRecord(p.config, 'aigw-proxy config').models as Array<Record<string, unknown>>)
      .flatMap((m) => [m.target, ...((m.targets as unknown[]) ?? [])].filter(isRecord));
    expect(targets.length).toBeGreaterThan(5);
    for (const t of targets) {
      expect(String(t.base_url).startsWith(MOCK_URL_IN_STACK)).toBe(true);
      expect(t.credential).toBe(MOCK_CREDENTIAL);
    }
    const production = parseDeck(parseYaml(readRepoFile('deck', 'kong.yaml')));
    const at = (deck: typeof parsed, name: string) => {
      const service = deck.services.find((s) => s.name === name);
      return `${service?.host}:${service?.port}`;
    };
    for (const name of ['ai-relay', 'aigw-control']) expect(at(parsed, name)).toBe(at(production, name));
    expect(text).toContain(`name: ${E2E_ONLY_MODEL}`);
  });

  test("every config of our plugins validates against the plugin's own schema", () => {
    const ours = parsed.plugins.filter((p) => existsSync(repoPath('plugins', p.name)));
    expect(new Set(ours.map((p) => p.name))).toEqual(new Set(['aigw-proxy', 'aigw-virtual-key']));
    for (const plugin of ours) {
      const result = validatePluginConfig(dumpedSchema(plugin.name), plugin.config ?? {});
      expect({ plugin: plugin.name, errors: result.ok ? [] : result.errors }).toEqual({ plugin: plugin.name, errors: [] });
    }
  });
});

describe(WORKFLOW_FILE, () => {
  test('runs on Node 20, from a checkout, after npm ci', () => {
    expect(steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(node?.with?.['node-version'])).toBe('20');
    expect(scripts).toMatch(/^npm ci\b/m);
  });

  test('every make target it calls exists in the Makefile', () => {
    const targets = [...scripts.matchAll(/\bmake\s+([a-z][\w-]*)/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(['build', 'down']));
    const makefile = readRepoFile('Makefile');
    for (const target of targets) expect({ target, defined: new RegExp(`^${target}:`, 'm').test(makefile) }).toEqual({ target, defined: true });
  });

  test('every file it names exists (kong/.env it writes itself; dist/ is what make build and the images make)', () => {
    const text = `${scripts}\n${Object.values(jobEnv).join('\n')}`;
    const named = [
      ...text.matchAll(/(?:^|[\s=:"'>])((?:\.github|test|kong|deck|sidecars|lib|plugins|docs|dist)\/[\w./-]*\w|docker-compose\.yml|Makefile)/gm),
    ].map((m) => m[1]);
    expect(named).toEqual(expect.arrayContaining(['docker-compose.yml', OVERLAY, 'test/harness/stack/e2e-deck.ts', 'test/e2e']));
    for (const file of new Set(named)) {
      if (file === 'kong/.env') expect(scripts).toMatch(/>>? kong\/\.env/);
      else if (file.startsWith('dist/')) expect(readRepoFile('sidecars', 'control', 'Dockerfile')).toContain(`/app/${file}`);
      else expect({ file, exists: existsSync(repoPath(file)) }).toEqual({ file, exists: true });
    }
  });

  test('every compose command sees the overlay, and the secrets step writes every variable compose requires', () => {
    expect(jobEnv.COMPOSE_FILE).toBe(FILES.join(':'));
    const written = /for name in ([A-Z0-9_ ]+); do/.exec(scripts)?.[1].trim().split(/\s+/) ?? [];
    const vars = workflowVariables();
    expect(REQUIRED.filter((name) => !written.includes(name) && !vars.has(name))).toEqual([]);
    for (const command of scripts.match(/docker compose [^\n]*/g) ?? []) expect(command).toContain('--env-file kong/.env');
  });

  test('gives the suite every AIGW_E2E_ variable, then runs test/e2e one file at a time', () => {
    const vars = workflowVariables();
    expect(Object.values(REMOTE_ENV).filter((name) => !vars.has(name))).toEqual([]);
    expect(scripts).toMatch(/npx jest test\/e2e\b[^\n]*--runInBand/);
  });

  test('dumps the logs on failure and always stops the stack', () => {
    expect(steps.some((s) => s.if === 'failure()' && /docker compose [^\n]*logs/.test(s.run ?? ''))).toBe(true);
    const last = steps[steps.length - 1];
    expect({ if: last.if, run: last.run?.trim() }).toEqual({ if: 'always()', run: 'make down' });
  });
});
