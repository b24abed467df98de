/**
 * The optional `logs` profile of docker-compose.yml: Loki, Promtail and Grafana's Loki
 * datasource. Neither Loki nor Promtail can be installed here, so their configs are checked
 * statically: they parse, have the keys each needs to start, agree with each other and with the
 * compose file, and Promtail's pipeline regexes pick the JSON out of the lines our processes and
 * Kong really write. docker-compose (Debian's) validates the compose file with the profile.
 */
import { formatLogLine } from '../../lib/log';
import { logPolicyFromEnv } from '../../lib/observability/log-redaction';
import { composeConfig, composeVariables, dummyEnvFile, environmentOf, publishedPorts, services } from './compose-helpers';
import { asRecord, describeRun, kongConf, parseYaml, readRepoFile, repoPath } from './static-helpers';

const LOKI = 'kong/observability/loki.yml';
const PROMTAIL = 'kong/observability/promtail.yml';
const DATASOURCE = 'kong/observability/grafana/provisioning/datasources/loki.yml';

const loki = asRecord(parseYaml(readRepoFile(LOKI)), LOKI);
const promtail = asRecord(parseYaml(readRepoFile(PROMTAIL)), PROMTAIL);
const get = (root: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), root);

const lokiPort = (): number => Number(get(loki, 'server.http_listen_port'));

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  /** A named volume (not a path on the host). */
  named: boolean;
}

/** A service's volumes, short (`source:target:mode`, what docker-compose 1.29 prints) or long syntax. */
function mounts(svc: Record<string, unknown>): Mount[] {
  return ((svc.volumes as unknown[]) ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = 'rw'] = v.split(':');
      return { source, target, readOnly: mode === 'ro', named: !source.startsWith('/') && !source.startsWith('.') };
    }
    const r = asRecord(v, 'volume');
    return { source: String(r.source), target: String(r.target), readOnly: r.read_only === true, named: r.type === 'volume' };
  });
}

describe('the logs profile in docker-compose.yml', () => {
  const composeText = readRepoFile('docker-compose.yml');
  // The required secrets only: every optional setting at its default.
  const env = dummyEnvFile(composeVariables(composeText).required);
  let resolved: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    const r = composeConfig(env, ['--profile', 'logs', 'config']);
    if (r.status !== 0) throw new Error(describeRun('docker-compose --profile logs config', r));
    resolved = services(parseYaml(r.stdout));
  });

  test('docker-compose accepts the file with the profile on', () => {
    const r = composeConfig(env, ['--profile', 'logs', 'config', '-q']);
    if (r.status !== 0) throw new Error(describeRun('docker-compose --profile logs config -q', r));
    expect(r.status).toBe(0);
  });

  test('Loki and Promtail run only in the logs profile, publish nothing, and mount the configs their commands name', () => {
    for (const [name, file, target] of [
      ['loki', LOKI, '/etc/loki/loki.yml'],
      ['promtail', PROMTAIL, '/etc/promtail/promtail.yml'],
    ] as const) {
      const svc = resolved[name];
      expect(svc).toBeDefined();
      expect(svc!.profiles).toEqual(['logs']);
      expect(publishedPorts(svc!)).toEqual([]);
      expect((svc!.command as string[]).includes(`-config.file=${target}`)).toBe(true);
      expect(mounts(svc!)).toContainEqual({ source: repoPath(file), target, readOnly: true, named: false });
    }
    // No other service is in a profile: the default `up` is unchanged.
    const profiled = Object.entries(resolved).filter(([, svc]) => svc.profiles !== undefined);
    expect(profiled.map(([name]) => name).sort()).toEqual(['loki', 'promtail']);
  });

  test('Promtail reaches the Docker API where its config says, and keeps its positions on a volume', () => {
    const sd = asRecord((get(promtail, 'scrape_configs.0.docker_sd_configs') as unknown[])[0], 'docker_sd_configs');
    const socket = String(sd.host).replace(/^unix:\/\//, '');
    const promtailMounts = mounts(resolved.promtail!);
    expect(promtailMounts).toContainEqual({ source: socket, target: socket, readOnly: true, named: false });
    const positions = String(get(promtail, 'positions.filename'));
    expect(promtailMounts.some((m) => m.named && positions.startsWith(`${m.target}/`))).toBe(true);
  });

  test('Loki keeps its data on a volume at the path its config writes to; retention comes from the environment', () => {
    expect(mounts(resolved.loki!)).toContainEqual(expect.objectContaining({ target: String(get(loki, 'common.path_prefix')), named: true, readOnly: false }));
    expect(resolved.loki!.command).toContain('-config.expand-env=true');
    const retention = /^\$\{([A-Z_]+):-(\d+h)\}$/.exec(String(get(loki, 'limits_config.retention_period')));
    expect(retention).not.toBeNull();
    expect(environmentOf(resolved.loki!)[retention![1]!]).toBe(retention![2]);
  });

  test('every process gets the log settings, Kong (for its plugin servers) included', () => {
    for (const name of ['kong', 'relay', 'control', 'inference']) {
      const e = environmentOf(resolved[name]!);
      expect({ name, keys: ['AIGW_LOG_LEVEL', 'AIGW_LOG_REDACT', 'AIGW_LOG_CONTENT'].filter((k) => k in e) }).toEqual({
        name,
        keys: ['AIGW_LOG_LEVEL', 'AIGW_LOG_REDACT', 'AIGW_LOG_CONTENT'],
      });
      expect(e.AIGW_LOG_CONTENT).toBe('off');
    }
  });
});

describe('Loki config', () => {
  test('has what a single-binary Loki 3 needs to start', () => {
    expect(loki.auth_enabled).toBe(false);
    expect(lokiPort()).toBeGreaterThan(0);
    expect(get(loki, 'common.replication_factor')).toBe(1);
    expect(get(loki, 'common.ring.kvstore.store')).toBe('inmemory');
    expect(get(loki, 'common.storage.filesystem.chunks_directory')).toEqual(expect.any(String));
    const schema = asRecord((get(loki, 'schema_config.configs') as unknown[])[0], 'schema config');
    expect(schema).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: expect.any(String), period: '24h' } });
    expect(String(schema.from)).toMatch(/^\d{4}-\d\d-\d\d$/);
    // Structured metadata (request_id, trace_id) needs tsdb + v13 and this switch.
    expect(get(loki, 'limits_config.allow_structured_metadata')).toBe(true);
    // Retention is done by the compactor, which then needs a delete-request store.
    expect(get(loki, 'compactor.retention_enabled')).toBe(true);
    expect(get(loki, 'compactor.delete_request_store')).toBe('filesystem');
  });
});

describe('Promtail config', () => {
  const scrape = asRecord((promtail.scrape_configs as unknown[])[0], 'scrape config');
  const stages = (scrape.pipeline_stages as unknown[]).map((s) => asRecord(s, 'stage'));
  const stage = (name: string): Array<Record<string, unknown>> => stages.filter((s) => name in s).map((s) => asRecord(s[name], name));
  /** Go's RE2 named groups as JavaScript writes them. */
  const regexes = stage('regex').map((r) => new RegExp(String(r.expression).replace(/\(\?P</g, '(?<')));

  test('pushes to the Loki of the compose file, at its port', () => {
    expect(get(promtail, 'clients.0.url')).toBe(`http://loki:${lokiPort()}/loki/api/v1/push`);
    expect(get(promtail, 'server.http_listen_port')).toEqual(expect.any(Number));
  });

  test('labels: service (the compose service), level, stream; request and trace ids are structured metadata, never labels', () => {
    const targets = (scrape.relabel_configs as unknown[]).map((r) => asRecord(r, 'relabel').target_label);
    expect(targets).toEqual(['service', 'stream']);
    expect((scrape.relabel_configs as Array<Record<string, unknown>>).find((r) => r.target_label === 'service')?.source_labels).toEqual([
      '__meta_docker_container_label_com_docker_compose_service',
    ]);
    const labels = stage('labels').flatMap((l) => Object.keys(l));
    expect(labels).toEqual(['level']);
    expect(stage('structured_metadata').flatMap((m) => Object.keys(m))).toEqual(['request_id', 'trace_id']);
    expect(stage('json')[0]!.expressions).toMatchObject({ level: 'level', request_id: 'request_id', trace_id: 'trace_id' });
  });

  test("its regexes find our JSON line, in a sidecar's output and inside Kong's error-log line, and nginx's level", () => {
    const ours = formatLogLine(
      {
        level: 'warn',
        service: 'aigw-proxy',
        component: 'aigw-proxy',
        msg: 'stats unavailable',
        fields: { reason: 'x' },
        context: { requestId: 'r1', traceId: 'a'.repeat(32) },
      },
      logPolicyFromEnv({}),
    );
    const [jsonRegex, nginxRegex] = regexes;
    expect(JSON.parse(jsonRegex!.exec(ours)?.groups?.json_line ?? '')).toMatchObject({ level: 'warn', request_id: 'r1' });
    const kong = `2026/12/01 15:45:39 [warn] 1234#0: *42 [kong] init.lua:405 [aigw-proxy] ${ours}, client: 172.18.0.1, server: kong, request: "POST /v1/chat/completions HTTP/1.1", host: "localhost:8000", request_id: "r1"`;
    expect(JSON.parse(jsonRegex!.exec(kong)?.groups?.json_line ?? '')).toMatchObject({ msg: 'stats unavailable', trace_id: 'a'.repeat(32) });
    expect(nginxRegex!.exec(kong)?.groups?.nginx_level).toBe('warn');
    expect(nginxRegex!.exec('2026/12/01 15:45:39 [notice] 1#0: start worker process 1284')?.groups?.nginx_level).toBe('notice');
    expect(jsonRegex!.exec('2026/12/01 15:45:39 [notice] 1#0: start worker process 1284')).toBeNull();
  });

  test("the level template falls back from our level to nginx's, then info", () => {
    const template = String(stage('template')[0]!.template);
    expect(stage('template')[0]!.source).toBe('level');
    expect(template).toContain('.level');
    expect(template).toContain('.nginx_level');
    expect(regexes.flatMap((r) => [...r.source.matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]))).toEqual(['json_line', 'nginx_level']);
  });
});

describe('Grafana Loki datasource', () => {
  test('points at the compose Loki, beside the Prometheus one', () => {
    const file = asRecord(parseYaml(readRepoFile(DATASOURCE)), DATASOURCE);
    const ds = asRecord((file.datasources as unknown[])[0], 'datasource');
    expect(ds).toMatchObject({ type: 'loki', uid: 'loki', access: 'proxy', url: `http://loki:${lokiPort()}` });
    expect(ds.isDefault).not.toBe(true);
  });
});

describe("Kong's access log", () => {
  const conf = kongConf();
  const [, name, template] = /^(\S+) escape=json '(.*)'$/.exec(conf.get('nginx_http_log_format') ?? '') ?? [];

  test('uses our JSON format, which nginx escapes as JSON', () => {
    expect(name).toBeDefined();
    expect(conf.get('proxy_access_log')).toBe(`logs/access.log ${name}`);
    // With every variable given a value, the line is one JSON object of our logger's shape.
    const line = String(template).replace(/\$[a-z_]+/g, (variable) => (/\$(status|body_bytes_sent|request_time)$/.test(variable) ? '1' : 'x'));
    expect(JSON.parse(line)).toMatchObject({ level: 'info', service: 'kong', msg: 'request', request_id: 'x', path: 'x', status: 1 });
  });

  test('writes neither the query string nor a header: a key in the URL or a header never reaches it', () => {
    const variables = [...String(template).matchAll(/\$([a-z_]+)/g)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables) {
      expect({
        variable,
        leaks: /^(request|request_uri|args|arg_.*|query_string|is_args|request_body|http_.*|cookie_.*|sent_http_.*)$/.test(variable!),
      }).toEqual({
        variable,
        leaks: false,
      });
    }
  });
});
