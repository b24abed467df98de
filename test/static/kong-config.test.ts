/**
 * kong/kong.conf, kong/Dockerfile, plugins/ and deck/kong.yaml must describe the same plugins
 * with the same paths. Kong 3.9 facts this relies on (see kong/README.md):
 *  - one kong-js-pluginserver per plugin (only the first plugin of a dump is registered);
 *  - pluginserver_<name>_query_cmd is mandatory;
 *  - the socket Kong dials must be <prefix>/<--sock-name> of the server it started.
 */

import { posix } from 'node:path';
import { BUNDLED_PLUGINS } from '../harness/kong-double/bundled';
import { handlerMessage, luaFormat, pdkMessage } from '../harness/kong-double/error-pages';
import { checkErrorTemplate } from '../harness/kong-double/kong-conf';
import { confList, deckPlugins, kongConf, nginxSize, parseKongConf, parseYaml, pluginFolders, pluginServerKey, readRepoFile, repoPath } from './static-helpers';

/** The layout kong/Dockerfile builds, read from the Dockerfile itself. */
function dockerfileLayout(): { jsPluginsDir: string; confPath: string; pluginServerBin: string; kongPrefix: string } {
  // Join continuation lines so each instruction is one line.
  const text = readRepoFile('kong', 'Dockerfile').replace(/\\\n/g, ' ');
  const copyPlugins = /^COPY\s+--from=build\s+\/src\/dist\/kong-plugins\/\s+(\S+?)\/?\s*$/m.exec(text);
  if (!copyPlugins) throw new Error('kong/Dockerfile: no "COPY --from=build /src/dist/kong-plugins/ <dir>/" line');
  const copyConf = /^COPY\s+kong\/kong\.conf\s+(\S+)\s*$/m.exec(text);
  if (!copyConf) throw new Error('kong/Dockerfile: no "COPY kong/kong.conf <path>" line');
  const link = /ln -s\s+(\S*node_modules\/kong-pdk\/bin\/kong-js-pluginserver)\s+(\S+)/.exec(text);
  if (!link) throw new Error('kong/Dockerfile: no "ln -s …/kong-pdk/bin/kong-js-pluginserver <bin>" line');
  if (!link[1].startsWith(`${copyPlugins[1]}/node_modules/`)) {
    throw new Error(`kong/Dockerfile links ${link[1]}, which is not under ${copyPlugins[1]}/node_modules`);
  }
  // The official image's entrypoint uses KONG_PREFIX:=/usr/local/kong; the Dockerfile does not change it.
  if (/KONG_PREFIX/.test(text)) throw new Error('kong/Dockerfile sets KONG_PREFIX: update this test and the sockets');
  return { jsPluginsDir: copyPlugins[1], confPath: copyConf[1], pluginServerBin: link[2], kongPrefix: '/usr/local/kong' };
}

/** Splits a command line on blanks (kong-js-pluginserver paths and flags have no quotes). */
function argv(command: string): string[] {
  if (/["'\\$`]/.test(command)) throw new Error(`unexpected quoting or expansion in command: ${command}`);
  return command.split(/\s+/).filter((s) => s !== '');
}

function flag(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (names.includes(args[i])) return args[i + 1];
    for (const name of names) {
      if (name.startsWith('--') && args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
    }
  }
  return undefined;
}

const conf = kongConf();
const folders = pluginFolders();
const layout = dockerfileLayout();
const deckDoc = parseYaml(readRepoFile('deck', 'kong.yaml'));

describe('kong.conf and plugins/', () => {
  test('there is at least one plugin folder and kong.conf is installed where Kong looks first', () => {
    expect(folders.length).toBeGreaterThan(0);
    // kong/conf_loader/constants.lua DEFAULT_PATHS[1]
    expect(layout.confPath).toBe('/etc/kong/kong.conf');
  });

  test('no plugin folder is named like a plugin bundled with Kong 3.9 (Kong would load its own Lua plugin instead)', () => {
    const clashes = folders.filter((name) => BUNDLED_PLUGINS.has(name));
    if (clashes.length > 0) {
      throw new Error(
        `plugins/${clashes.join(', plugins/')} shadowed by Kong's bundled Lua plugin of the same name: ` +
          'Kong 3.9 resolves kong.plugins.<name>.handler before asking plugin servers ' +
          '(kong/db/dao/plugins.lua load_plugin_handler), so the JS plugin never runs and its decK config ' +
          'is validated against the bundled schema. Rename the plugin.',
      );
    }
  });

  test('`plugins` is bundled plus exactly the folders under plugins/', () => {
    const listed = confList(conf.get('plugins'));
    expect(listed[0]).toBe('bundled');
    expect(listed.slice(1).sort()).toEqual(folders);
  });

  test('`pluginserver_names` has one entry per plugin folder, no more', () => {
    expect(confList(conf.get('pluginserver_names')).sort()).toEqual(folders);
  });

  test.each(folders)('plugin %s has a complete pluginserver entry matching the image layout', (name) => {
    const key = pluginServerKey(name);
    const socket = conf.get(`${key}_socket`);
    const start = conf.get(`${key}_start_cmd`);
    const query = conf.get(`${key}_query_cmd`);
    expect({ socket, start, query }).toEqual({ socket: expect.any(String), start: expect.any(String), query: expect.any(String) });
    const pluginDir = `${layout.jsPluginsDir}/${name}`;

    const startArgs = argv(start as string);
    expect(startArgs[0]).toBe(layout.pluginServerBin);
    expect(flag(startArgs, '-d', '--plugins-directory')).toBe(pluginDir);
    const sockName = flag(startArgs, '--sock-name');
    expect(sockName).toBeDefined();
    const prefix = flag(startArgs, '-p', '--kong-prefix') ?? layout.kongPrefix;
    // bin/kong-js-pluginserver: path.join(opts.kongPrefix, opts.sockName)
    expect(socket).toBe(`${prefix.replace(/\/$/, '')}/${sockName}`);
    // -v logs every RPC with its arguments, request bodies included.
    expect(startArgs).not.toContain('-v');
    expect(startArgs).not.toContain('--dump-all-plugins');

    const queryArgs = argv(query as string);
    expect(queryArgs[0]).toBe(layout.pluginServerBin);
    expect(flag(queryArgs, '-d', '--plugins-directory')).toBe(pluginDir);
    // JSON on stdout (Kong cjson-decodes it); --dump-plugin-info prints msgpack and is unusable.
    expect(queryArgs).toContain('--dump-all-plugins');
    expect(queryArgs).not.toContain('--dump-plugin-info');
  });

  test('sockets are distinct (one server per plugin)', () => {
    const sockets = folders.map((name) => conf.get(`${pluginServerKey(name)}_socket`));
    expect(new Set(sockets).size).toBe(folders.length);
  });

  test('no stray pluginserver_* keys for plugins that do not exist', () => {
    const known = new Set(folders.map(pluginServerKey));
    const stray = [...conf.keys()]
      .filter((k) => k.startsWith('pluginserver_') && k !== 'pluginserver_names')
      .filter((k) => !known.has(k.replace(/_(socket|start_cmd|query_cmd)$/, '')));
    expect(stray).toEqual([]);
  });

  test('the build puts each plugin at dist/kong-plugins/<name>/<name>.js, which the Dockerfile copies per folder', () => {
    const makefile = readRepoFile('Makefile');
    expect(makefile).toMatch(/PLUGINS\s*:=\s*\$\(notdir \$\(wildcard plugins\/\*\)\)/);
    expect(makefile).toContain('--outfile=dist/kong-plugins/$$p/$$p.js');
    const dockerfile = readRepoFile('kong', 'Dockerfile');
    expect(dockerfile).toContain(`/deps/node_modules/ ${layout.jsPluginsDir}/node_modules/`);
    expect(dockerfile).toMatch(/^FROM \$\{KONG_IMAGE\}$/m);
    expect(dockerfile).toMatch(/^ARG KONG_IMAGE=kong:3\.9\.\d+$/m);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users[users.length - 1]).toBe('kong');
    expect(dockerfile).not.toMatch(/^(ENTRYPOINT|CMD)\b/m);
    expect(dockerfile).not.toMatch(/\bapk (add|update)\b/);
  });
});

describe('kong.conf and deck/kong.yaml', () => {
  test('every plugin deck/kong.yaml uses is one of ours (folder) or bundled with Kong 3.9', () => {
    const names = deckPlugins(deckDoc).map((p) => String(p.name));
    expect(names.length).toBeGreaterThan(0);
    const unknown = names.filter((n) => !folders.includes(n) && !BUNDLED_PLUGINS.has(n));
    expect(unknown).toEqual([]);
    const listed = confList(conf.get('plugins'));
    for (const name of names) {
      if (folders.includes(name)) expect(listed).toContain(name);
      else expect(listed).toContain('bundled');
    }
  });

  test('env vault references in deck/kong.yaml survive nginx: each variable is in nginx_main_env', () => {
    const refs = [...readRepoFile('deck', 'kong.yaml').matchAll(/\{vault:\/\/env\/([^}/]+)\}/g)].map((m) =>
      // kong/vaults/env/init.lua: upper(gsub(resource, "-", "_")), no prefix configured
      m[1].replace(/-/g, '_').toUpperCase(),
    );
    expect(refs).toContain('AIGW_PLAN_SECRET');
    // nginx_main_env = A; env B; env C  ->  env A; env B; env C;
    const kept = `env ${conf.get('nginx_main_env') ?? ''}`
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => {
        const m = /^env\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
        if (!m) throw new Error(`nginx_main_env: "${s}" is not "env NAME"`);
        return m[1];
      });
    for (const ref of refs) expect(kept).toContain(ref);
  });

  test('request bodies of the size aigw-proxy accepts stay in memory (client_body_buffer_size)', () => {
    const buffer = nginxSize(conf.get('nginx_http_client_body_buffer_size') ?? '8k');
    const maxBody = nginxSize(conf.get('nginx_http_client_max_body_size') ?? '0');
    expect(buffer).toBeGreaterThanOrEqual(1024 * 1024);
    // Nothing accepted may be spooled to disk, where getRawBody() cannot see it.
    expect(maxBody).toBeGreaterThan(0);
    expect(maxBody).toBeLessThanOrEqual(buffer);
    for (const plugin of deckPlugins(deckDoc)) {
      const config = plugin.config as Record<string, unknown> | undefined;
      const limit = config?.max_request_body_bytes;
      if (typeof limit === 'number') expect(limit).toBeLessThanOrEqual(buffer);
    }
  });

  test('listeners: public proxy on 8000, loopback status API, headers defaults kept', () => {
    expect(conf.get('proxy_listen')).toMatch(/^0\.0\.0\.0:8000\b/);
    expect(conf.get('admin_listen')).toMatch(/^0\.0\.0\.0:8001\b/);
    expect(conf.get('admin_gui_listen')).toMatch(/^0\.0\.0\.0:8002\b/);
    expect(conf.get('status_listen')).toMatch(/^127\.0\.0\.1:\d+/);
    const headers = confList(conf.get('headers')).map((h) => h.toLowerCase());
    expect(headers).toEqual(expect.arrayContaining(['server_tokens', 'latency_tokens', 'x-kong-request-id']));
  });
});

describe("Kong's own error responses (kong.conf, kong/error-template.json, kong/Dockerfile)", () => {
  const templatePath = conf.get('error_template_json') ?? '';
  const dockerfile = readRepoFile('kong', 'Dockerfile').replace(/\\\n/g, ' ');
  const copied = /^COPY\s+kong\/(\S+)\s+(\S+)\s*$/gm;

  test('error_template_json is installed by the Dockerfile beside kong.conf, from a file in kong/', () => {
    expect(templatePath).toMatch(/^\/\S+\.json$/);
    // the test ingress finds the template beside the kong.conf it reads (test/harness/kong-double/kong-conf.ts)
    expect(posix.dirname(templatePath)).toBe(posix.dirname(layout.confPath));
    const copies = [...dockerfile.matchAll(copied)].filter((m) => m[2] === templatePath);
    expect(copies).toHaveLength(1);
    expect(copies[0]![1]).toBe(posix.basename(templatePath));
    expect(() => readRepoFile('kong', copies[0]![1]!)).not.toThrow();
  });

  test('error_default_type is application/json, so requests that say nothing get JSON too', () => {
    expect(conf.get('error_default_type')).toBe('application/json');
  });

  test("the template, formatted as Kong does with each of Kong's messages, is OpenAI's error shape", () => {
    const template = readRepoFile('kong', posix.basename(templatePath));
    expect(() => checkErrorTemplate(template, repoPath('kong', posix.basename(templatePath)))).not.toThrow();
    const requestId = 'a'.repeat(32);
    const statuses = [400, 401, 403, 404, 405, 411, 413, 414, 429, 494, 500, 502, 503, 504, 599];
    const messages = [...statuses.map(handlerMessage), ...statuses.map(pdkMessage), 'no Route matched with those values', 'no Service found with those values'];
    for (const message of messages) {
      const body = JSON.parse(luaFormat(template, [message, requestId])) as { error: Record<string, unknown> };
      expect(body.error).toEqual({ message, type: expect.any(String), code: null, param: null, request_id: requestId });
    }
  });
});

describe('the kong.conf parser used above', () => {
  test('reads values as Kong does and rejects duplicates', () => {
    const parsed = parseKongConf('a = 1 # comment\nb = x\\#y\n# c = 3\n');
    expect([...parsed.entries()]).toEqual([
      ['a', '1'],
      ['b', 'x#y'],
    ]);
    expect(() => parseKongConf('a = 1\na = 2\n')).toThrow(/duplicate/);
  });
});
