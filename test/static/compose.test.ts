/**
 * docker-compose.yml: Debian's docker-compose (1.29, the Compose-spec schema) must accept it,
 * required secrets must fail loudly when missing, only Kong's proxy port may be published on a
 * non-loopback address, and provider credentials may reach the relay only.
 * `docker-compose config` needs no Docker engine.
 */
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
import { asRecord, describeRun, isRecord, kongConf, parseYaml, readRepoFile } from './static-helpers';

const COMPOSE_TEXT = readRepoFile('docker-compose.yml');
const ENV_EXAMPLE = readRepoFile('kong', 'env.example');

/** Variables compose requires (${VAR:?message}), and every one it interpolates. */
const { required: REQUIRED, referenced: REFERENCED } = composeVariables(COMPOSE_TEXT);
const PROVIDER_VARS = providerVariables();
const dummyEnv = (omit?: string): string => dummyEnvFile(REFERENCED, omit);

describe('docker-compose.yml', () => {
  let resolved: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    const r = composeConfig(dummyEnv(), ['config']);
    if (r.status !== 0) throw new Error(describeRun('docker-compose config', r));
    resolved = services(parseYaml(r.stdout));
  });

  test('docker-compose config -q accepts it (with dummy values for every variable)', () => {
    const r = composeConfig(dummyEnv(), ['config', '-q']);
    if (r.status !== 0) throw new Error(describeRun('docker-compose config -q', r));
    expect(r.status).toBe(0);
  });

  test('the secrets are required: compose refuses to run without each, naming it', () => {
    expect(REQUIRED).toEqual(
      expect.arrayContaining(['AIGW_PLAN_SECRET', 'POSTGRES_PASSWORD', 'KONG_PG_PASSWORD', 'AIGW_PG_PASSWORD', 'REDIS_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']),
    );
    for (const name of REQUIRED) {
      const r = composeConfig(dummyEnv(name), ['config', '-q']);
      expect({ omitted: name, status: r.status === 0 ? 'accepted' : 'refused' }).toEqual({ omitted: name, status: 'refused' });
      expect(r.stderr).toContain(name);
    }
  });

  test('kong/env.example documents every variable compose reads', () => {
    const documented = new Set([...ENV_EXAMPLE.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(REFERENCED.filter((name) => !documented.has(name))).toEqual([]);
    // The example ships without values.
    expect(ENV_EXAMPLE).not.toMatch(/^[A-Z][A-Z0-9_]*=\S/m);
  });

  test('only Kong proxy port 8000 is published on a non-loopback interface', () => {
    const exposed: string[] = [];
    let proxyPublished = false;
    for (const [name, svc] of Object.entries(resolved)) {
      expect({ service: name, network_mode: svc.network_mode }).not.toEqual({ service: name, network_mode: 'host' });
      for (const port of publishedPorts(svc)) {
        const isProxy = name === 'kong' && port.target === '8000';
        if (isProxy) proxyPublished = true;
        if (!LOOPBACK.has(port.hostIp) && !isProxy) exposed.push(`${name}: ${JSON.stringify(port)}`);
      }
    }
    expect(exposed).toEqual([]);
    expect(proxyPublished).toBe(true);
    const kongPorts = publishedPorts(resolved.kong);
    expect(kongPorts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ hostIp: '127.0.0.1', target: '8001' }),
        expect.objectContaining({ hostIp: '127.0.0.1', target: '8002' }),
      ]),
    );
    expect(publishedPorts(resolved.grafana)).toEqual([expect.objectContaining({ hostIp: '127.0.0.1', target: '3000' })]);
  });

  test('provider credentials reach the relay and nothing else', () => {
    expect(PROVIDER_VARS).toEqual(expect.arrayContaining(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']));
    const relayEnv = environmentOf(resolved.relay);
    for (const name of PROVIDER_VARS) {
      expect({ name, value: relayEnv[name] }).toEqual({ name, value: `sentinel-${name.toLowerCase()}` });
    }
    // The relay's allow-list names exactly the credentials it is given.
    expect((relayEnv.RELAY_CREDENTIALS ?? '').split(',').sort()).toEqual(PROVIDER_VARS);
    for (const [name, svc] of Object.entries(resolved)) {
      if (name === 'relay') continue;
      const text = JSON.stringify(svc);
      const leaks = PROVIDER_VARS.filter((v) => text.includes(v) || text.includes(`sentinel-${v.toLowerCase()}`));
      expect({ service: name, leaks }).toEqual({ service: name, leaks: [] });
      expect({ service: name, credentialLike: Object.keys(environmentOf(svc)).filter((k) => CREDENTIAL.test(k)) }).toEqual({
        service: name,
        credentialLike: [],
      });
      expect({ service: name, env_file: svc.env_file }).toEqual({ service: name, env_file: undefined });
    }
  });

  test('Kong: DB mode after migrations, plugin settings only from the image, secrets it needs', () => {
    const kong = resolved.kong;
    const env = environmentOf(kong);
    expect(env.KONG_DATABASE).toBe('postgres');
    // KONG_* would override kong/kong.conf, the one place the plugin servers are described.
    expect(Object.keys(env).filter((k) => /^KONG_(PLUGINS|PLUGINSERVER_|NGINX_MAIN_ENV|NGINX_HTTP_CLIENT_)/.test(k))).toEqual([]);
    expect(env.AIGW_PLAN_SECRET).toBeTruthy();
    // Every variable kong.conf lets through nginx that compose could provide is provided.
    const kept = `env ${kongConf().get('nginx_main_env') ?? ''}`.split(';').map((s) => s.trim().replace(/^env\s+/, ''));
    for (const name of kept.filter((n) => n.startsWith('AIGW_'))) expect(Object.keys(env)).toContain(name);
    expect(kong.depends_on).toEqual(
      expect.objectContaining({
        'kong-migrations': { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
      }),
    );
    expect(asRecord(kong.healthcheck, 'kong healthcheck').test).toEqual(['CMD', 'kong', 'health']);
    expect(String(resolved['kong-migrations'].command)).toMatch(/kong migrations bootstrap/);
    expect(resolved['kong-migrations'].image).toBe(kong.image);
  });

  test('decK syncs deck/kong.yaml once Kong is healthy', () => {
    const deck = resolved.deck;
    expect(String(deck.image)).toMatch(/^kong\/deck:v\d+\.\d+\.\d+$/);
    expect(deck.command).toEqual(['gateway', 'sync', '/deck/kong.yaml']);
    expect(deck.depends_on).toEqual({ kong: { condition: 'service_healthy' } });
    expect(environmentOf(deck).DECK_KONG_ADDR).toBe('http://kong:8001');
  });

  test("relay and Prometheus live in Kong's network namespace; the relay port matches deck/kong.yaml", () => {
    expect(resolved.relay.network_mode).toBe('service:kong');
    expect(resolved.prometheus.network_mode).toBe('service:kong');
    expect(resolved.relay.ports).toBeUndefined();
    const port = environmentOf(resolved.relay).RELAY_PORT;
    expect(readRepoFile('deck', 'kong.yaml')).toContain(`url: http://127.0.0.1:${port}`);
  });

  test("the inference sidecar lives in Kong's network namespace where aigw-prompt-compressor calls it, and reads models read-only", () => {
    const inference = resolved.inference;
    expect(inference.network_mode).toBe('service:kong');
    expect(inference.ports).toBeUndefined();
    const address = environmentOf(inference).INFERENCE_ADDRESS;
    const configs = [...readRepoFile('deck', 'kong.yaml').matchAll(/inference_address: (\S+)/g)].map((m) => m[1]);
    expect(configs.length).toBeGreaterThan(0);
    expect(new Set(configs)).toEqual(new Set([address]));
    expect(JSON.stringify(inference.volumes)).toMatch(/"?\/models"?.*(read_only|:ro)/);
  });

  test('every long-running service has a health check and a restart policy; state is in named volumes', () => {
    for (const [name, svc] of Object.entries(resolved)) {
      if (name === 'deck' || name === 'kong-migrations') {
        expect({ name, restart: svc.restart }).toEqual({ name, restart: 'on-failure' });
        continue;
      }
      expect({ name, healthcheck: isRecord(svc.healthcheck) }).toEqual({ name, healthcheck: true });
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
    const raw = asRecord(parseYaml(COMPOSE_TEXT), 'compose file');
    expect(Object.keys(asRecord(raw.volumes, 'volumes')).sort()).toEqual([
      'grafana-data',
      'loki-data',
      'postgres-data',
      'prometheus-data',
      'promtail-positions',
      'redis-data',
    ]);
  });
});
