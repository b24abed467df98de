/**
 * `make dev`: the gateway on this machine, no Docker. After the ready line, one line per request
 * and the components' own log lines follow (live-log.ts); Ctrl-C stops everything and removes
 * the keys and URL it wrote for the CLI (they die with the run's database).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_METRICS_PORTS_DEFAULT } from '../../../lib/gateway-defaults';
import type { LogLevel } from '../../../lib/log';
import { DEV_FILES, devDir } from '../../../sidecars/control/cli/connection';
import { MissingBinaryError } from '../stores/binaries';
import { seedExampleTemplate } from './example-template';
import { LiveLog } from './live-log';
import { pluginPorts, type RunningPrometheus, startPrometheus } from './prometheus';
import { REPO_ROOT } from './sidecar-process';
import { startDevStack } from './stack';
import { UsageTail } from './usage-tail';

/** Where the CLI looks for the admin key and the gateway's URL (sidecars/control/cli/connection.ts). */
const DEV_DIR = devDir(REPO_ROOT);
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function writeDevFile(name: string, content: string): string {
  mkdirSync(DEV_DIR, { recursive: true });
  const file = join(DEV_DIR, name);
  writeFileSync(file, content + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

function removeDevFiles(): void {
  for (const name of Object.values(DEV_FILES)) rmSync(join(DEV_DIR, name), { force: true });
}

/**
 * Prometheus scraping every component at the ports this run uses, with the alert rules, on
 * AIGW_DEV_PROMETHEUS_PORT (9090). Optional: AIGW_DEV_PROMETHEUS=off, or no binary, runs without it.
 */
async function devPrometheus(
  stack: Awaited<ReturnType<typeof startDevStack>>,
  pluginMetricsPorts: string,
): Promise<{ running: RunningPrometheus | null; line: string }> {
  if (process.env.AIGW_DEV_PROMETHEUS === 'off') return { running: null, line: '  Prometheus: off (AIGW_DEV_PROMETHEUS=off)' };
  const host = (url: string): string => new URL(url).host;
  try {
    const running = await startPrometheus(
      {
        relay: host(stack.relay.url),
        control: host(stack.control.url),
        inference: stack.inference ? host(stack.inference.url) : null,
        pluginServers: pluginPorts(pluginMetricsPorts),
      },
      { port: Number(process.env.AIGW_DEV_PROMETHEUS_PORT ?? 9090) },
    );
    return { running, line: `  Prometheus on ${running.url} (every component, the alert rules in kong/observability/alerts.yml)` };
  } catch (error) {
    const why = error instanceof MissingBinaryError ? `${error.binary} not found (apt-get install prometheus)` : (error as Error).message;
    return { running: null, line: `  Prometheus: not started: ${why}` };
  }
}

async function main(): Promise<void> {
  const level = (LEVELS as readonly string[]).includes(process.env.AIGW_LOG_LEVEL ?? '') ? (process.env.AIGW_LOG_LEVEL as LogLevel) : 'info';
  const live = new LiveLog({
    write: (line) => process.stdout.write(line + '\n'),
    level,
    ingressPrintsItself: process.env.INGRESS_VERBOSE === '1',
    sidecarsPrintThemselves: process.env.AIGW_DEV_VERBOSE === '1',
  });
  let tail: UsageTail | null = null;
  const pluginMetricsPorts = process.env.AIGW_PLUGIN_METRICS_PORTS ?? PLUGIN_METRICS_PORTS_DEFAULT;
  const stack = await startDevStack({
    ingressPort: Number(process.env.AIGW_DEV_PORT ?? 8000),
    relayPort: Number(process.env.RELAY_PORT ?? 8787),
    controlPort: Number(process.env.CONTROL_PORT ?? 8788),
    mockPort: Number(process.env.AIGW_DEV_MOCK_PORT ?? 9001),
    // The inference sidecar and aigw-prompt-compressor on its routes; AIGW_DEV_COMPRESSION=off leaves both out.
    inference:
      process.env.AIGW_DEV_COMPRESSION === 'off'
        ? false
        : { port: Number(process.env.INFERENCE_METRICS_PORT ?? 8789), grpcPort: Number(process.env.INFERENCE_GRPC_PORT ?? 50151) },
    // aigw-semantic-cache on the chat routes (exact + semantic, per team); AIGW_DEV_CACHE=off leaves it out.
    cache: process.env.AIGW_DEV_CACHE !== 'off',
    // aigw-guardrails on the chat route (PII redact, secrets block); AIGW_DEV_GUARDRAILS=off leaves it out.
    guardrails: process.env.AIGW_DEV_GUARDRAILS !== 'off',
    // aigw-prompt-template on the conversation routes, with an example template; AIGW_DEV_TEMPLATES=off leaves it out.
    templates: process.env.AIGW_DEV_TEMPLATES !== 'off',
    pluginMetricsPorts,
    env: { ...process.env, AIGW_LOG_LEVEL: level },
    onAccess: (entry) => {
      tail?.poll(); // its usage record may already be written
      live.access(entry);
    },
    onIngressLog: (entry) => live.ingressLog(entry),
    onSidecarLine: (source, line) => live.sidecarLine(source, line),
  });
  removeDevFiles();
  const adminKeyFile = writeDevFile(DEV_FILES.adminKey, stack.adminKey);
  writeDevFile(DEV_FILES.adminUrl, stack.url);
  const userKey = await stack.admin('POST', '/admin/keys', { key_alias: 'dev-user', metadata: { created_by: 'make dev' } });
  if (userKey.status !== 201) throw new Error(`could not create the dev user key: ${JSON.stringify(userKey.body)}`);
  const userKeyFile = writeDevFile(DEV_FILES.userKey, userKey.body.key as string);
  const templateTry = process.env.AIGW_DEV_TEMPLATES === 'off' ? [] : await seedExampleTemplate(stack, userKeyFile);
  const prometheus = await devPrometheus(stack, pluginMetricsPorts);
  const lines = Object.entries(stack.routing).map(
    ([model, via]) => `    ${model.padEnd(24)} -> ${via === 'mock' ? 'mock provider (no key in the environment)' : via}`,
  );
  process.stdout.write(
    [
      `AI gateway ready on ${stack.url} (Kong test ingress + plugin servers + relay on ${stack.relay.url}${stack.inference ? ` + inference sidecar on ${stack.inference.address}` : ''})`,
      `  admin console: ${stack.url}/console (log in with the admin key in ${adminKeyFile})`,
      '  models:',
      ...lines,
      prometheus.line,
      `  an admin key for the aigw CLI: ${adminKeyFile} (the CLI finds it, and this URL, by itself: try \`aigw keys list\`)`,
      `  a user key for trying it out: ${userKeyFile}`,
      '  try:',
      `    curl -sN ${stack.url}/v1/chat/completions -H "Authorization: Bearer $(cat ${userKeyFile})" -H 'content-type: application/json' \\`,
      `      -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'`,
      ...templateTry,
      `  one line per request follows, and the components' log lines at ${level} and above (AIGW_LOG_LEVEL=debug for more).`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  tail = new UsageTail(stack.usageLogPath, (record) => live.usage(record));
  live.start(new URL(stack.relay.url).host);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    live.close();
    tail?.close();
    removeDevFiles();
    Promise.resolve(prometheus.running?.close())
      .then(() => stack.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A missing binary is the machine's state, not a bug: its message says what to do.
  const why = error instanceof MissingBinaryError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`make dev failed: ${why}\n`);
  process.exit(1);
});
