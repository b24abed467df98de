/**
 * Reading compose files the way the static checks need: Debian's docker-compose `config` with a
 * dummy env file (no Docker engine needed), the variables a file interpolates, and the parts of
 * a resolved service (environment, published ports).
 */
import { asRecord, isRecord, type RunResult, readRepoFile, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

/** Names the relay accepts as provider credentials (sidecars/relay/config.ts credentialAllowed). */
export const CREDENTIAL = /^[A-Z][A-Z0-9_]*_(API_KEY|TOKEN)$/;

export const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `docker-compose --env-file <temp> -f <each file> <args>` from the repository root. */
export function composeConfig(envFileContent: string, args: string[], files = ['docker-compose.yml']): RunResult {
  const tool = requireTool('docker-compose', 'docker-compose');
  const envFile = writeTemp(tempDir('aigw-compose-'), 'test.env', envFileContent);
  // No inherited variables: the env file alone decides (a developer's shell or a real
  // kong/.env must not make the check pass).
  return runTool(tool, ['--env-file', envFile, ...files.flatMap((file) => ['-f', file]), ...args]);
}

/** Variables a compose file requires (${VAR:?message}) and every one it interpolates, sorted. */
export function composeVariables(text: string): { required: string[]; referenced: string[] } {
  // Without comment lines (they mention ${VAR:?…} as prose).
  const code = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
  const names = (pattern: RegExp): string[] => [...new Set([...code.matchAll(pattern)].map((m) => m[1]))].sort();
  return { required: names(/\$\{([A-Z0-9_]+):\?/g), referenced: names(/\$\{([A-Z0-9_]+)/g) };
}

/** The provider credentials kong/env.example documents. */
export function providerVariables(): string[] {
  const example = readRepoFile('kong', 'env.example');
  return [...new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]))].filter((name) => CREDENTIAL.test(name)).sort();
}

/** Dummy values for `names`; each provider key gets a unique sentinel we can trace through the output. */
export function dummyEnvFile(names: string[], omit?: string): string {
  const lines = names
    .filter((name) => name !== omit)
    .map((name) => (CREDENTIAL.test(name) ? `${name}=sentinel-${name.toLowerCase()}` : `${name}=dummy0123456789abcdef0123456789abcdef`));
  return `${lines.join('\n')}\n`;
}

export function services(config: unknown): Record<string, Record<string, unknown>> {
  const all = asRecord(asRecord(config, 'compose file').services, 'services');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, svc] of Object.entries(all)) out[name] = asRecord(svc, `service ${name}`);
  return out;
}

export function environmentOf(svc: Record<string, unknown>): Record<string, string> {
  const env = svc.environment;
  if (env === undefined || env === null) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const s = String(entry);
        const eq = s.indexOf('=');
        return eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asRecord(env, 'environment')).map(([k, v]) => [k, String(v ?? '')]));
}

export interface Published {
  hostIp: string;
  published: string;
  target: string;
}

/** Short ("ip:host:container/proto", "host:container", "container") or long syntax. */
export function publishedPorts(svc: Record<string, unknown>): Published[] {
  const ports = svc.ports;
  if (!Array.isArray(ports)) return [];
  return ports.map((p): Published => {
    if (isRecord(p)) {
      return { hostIp: String(p.host_ip ?? ''), published: String(p.published ?? ''), target: String(p.target ?? '') };
    }
    const spec = String(p).replace(/\/(tcp|udp|sctp)$/, '');
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
    const [ip, rest] = v6 ? [v6[1], v6[2]] : [undefined, spec];
    const parts = rest.split(':');
    if (ip !== undefined) return { hostIp: ip, published: parts[0], target: parts[1] };
    if (parts.length === 3) return { hostIp: parts[0], published: parts[1], target: parts[2] };
    if (parts.length === 2) return { hostIp: '', published: parts[0], target: parts[1] };
    return { hostIp: '', published: '', target: parts[0] };
  });
}
