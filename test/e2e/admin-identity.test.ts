/**
 * The admin identity through the gateway: aigw-virtual-key (the real plugin, in the test ingress
 * playing Kong 3.9) signs it for the method, the request-target Kong forwards and the body, and
 * the control API accepts it for exactly that request, once. A recorder between the ingress and
 * the control API captures what Kong sends, and can withhold a request so its identity is still
 * unused when the test presents it straight to the control API.
 *
 * How it can fail: the plugin and the control API computing the target differently (every odd
 * path a 401, or worse, a binding loose enough to pass another request), a captured identity
 * accepted on another method, path or body (a GET's identity minting an admin key), or accepted
 * twice.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localOnly, REMOTE_RUN } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { rawRequest } from '../sidecars/control/helpers';
import { uniqueName } from './helpers';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Forwards to the control API byte for byte (request-target included), recording each request. */
class Recorder {
  readonly seen: Captured[] = [];
  target = '';
  /** The next request is recorded but not forwarded: its identity stays unused. */
  withholdNext = false;
  server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      if (this.withholdNext) {
        this.withholdNext = false;
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"withheld":true}');
        return;
      }
      const { hostname, port } = new URL(this.target);
      const upstream = httpRequest({ host: hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(Buffer.concat(chunks));
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  last(): Captured {
    return this.seen[this.seen.length - 1]!;
  }
}

const recorder = new Recorder();
let stack: DevStack;

function viaRecorder(deck: Record<string, unknown>): Record<string, unknown> {
  for (const service of deck.services as Array<{ name: string; url: string }>) {
    if (service.name !== 'aigw-control') continue;
    recorder.target = service.url;
    service.url = recorder.url;
  }
  return deck;
}

const withRecorder = localOnly('puts a recorder between Kong and the control API');

beforeAll(async () => {
  await new Promise<void>((resolve) => recorder.server.listen(0, '127.0.0.1', resolve));
  // A remote gateway runs the deck it was given: no recorder in its path.
  stack = await startDevStack({ env: {}, deckTransform: REMOTE_RUN ? undefined : viaRecorder });
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => recorder.server.close(resolve));
});

const admin = (): Record<string, string> => ({ authorization: `Bearer ${stack.adminKey}` });

/** The headers a captured identity travels in. */
function identityOf(c: Captured): Record<string, string> {
  const pick = (name: string): string => c.headers[name] as string;
  return {
    'x-aigw-identity': pick('x-aigw-identity'),
    'x-aigw-identity-signature': pick('x-aigw-identity-signature'),
    'x-kong-request-id': pick('x-kong-request-id'),
  };
}

/** Straight to the control API, bypassing Kong, with these headers. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
async function direct(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.control.url + path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('admin calls through Kong work, odd paths included: both ends compute the same target', async () => {
  const teamName = uniqueName('bound-team');
  expect((await stack.admin('POST', '/admin/teams', { name: teamName })).status).toBe(201);
  const team = (await stack.admin('GET', '/admin/teams?limit=1&offset=0')).body.data as Array<{ id: string }>;
  expect((await stack.admin('PATCH', `/admin/teams/${team[0]!.id}`, { rpm_limit: 60 })).status).toBe(200);
  // As the client sends them; Kong normalises (merges slashes, resolves dots, decodes unreserved escapes).
  const cases: Array<[string, number]> = [
    ['/admin//keys', 200],
    ['/admin/./teams/../keys?limit=2', 200],
    ['/admin/%6Beys', 200],
    ['/admin/keys?', 200],
    [`/admin/keys?team=${teamName.replace(/-/g, '%2D')}&limit=5`, 200],
    ['/admin/teams/%7Bnope%7D', 404],
    ['/admin/keys/%ZZ', 400],
    ['/admin/keys/caf%C3%A9', 404],
  ];
  for (const [target, status] of cases) {
    const res = await rawRequest(stack.url, 'GET', target, admin());
    expect({ target, status: res.status }).toEqual({ target, status });
  }
});

withRecorder.test('a captured identity is refused when replayed, and on another method, path or body', async () => {
  expect((await stack.admin('GET', '/admin/keys')).status).toBe(200);
  const used = identityOf(recorder.last());
  const replay = await direct('GET', '/admin/keys', used);
  expect({ status: replay.status, code: replay.body.error.code }).toEqual({ status: 401, code: 'identity_replayed' });

  // Withheld on its way to the control API: its identity has never been presented.
  const unused = async (method: string, path: string, body?: unknown): Promise<Record<string, string>> => {
    recorder.withholdNext = true;
    expect((await stack.admin(method, path, body)).status).toBe(502);
    return identityOf(recorder.last());
  };
  const keysBefore = (await stack.admin('GET', '/admin/keys')).body.total;
  const attempts: Array<[string, string, Record<string, string>, unknown]> = [
    ['POST', '/admin/keys', await unused('GET', '/admin/keys'), { role: 'admin' }],
    ['GET', '/admin/teams', await unused('GET', '/admin/keys'), undefined],
    ['GET', '/admin/keys?limit=1000', await unused('GET', '/admin/keys?limit=1'), undefined],
    ['POST', '/admin/keys', await unused('POST', '/admin/keys', { key_alias: 'x' }), { key_alias: 'x', role: 'admin' }],
  ];
  for (const [method, path, headers, body] of attempts) {
    const res = await direct(method, path, headers, body);
    expect({ method, path, status: res.status, code: res.body.error.code }).toEqual({ method, path, status: 401, code: 'identity_mismatch' });
  }
  expect((await stack.admin('GET', '/admin/keys')).body.total).toBe(keysBefore);

  // The withheld identities were good for the request they were signed for, once.
  const own = await unused('GET', '/admin/keys?limit=1');
  expect((await direct('GET', '/admin/keys?limit=1', own)).status).toBe(200);
  expect((await direct('GET', '/admin/keys?limit=1', own)).status).toBe(401);
});

withRecorder.test('a body over 1 MiB is refused by the plugin with 413 in OpenAI shape, before anything is signed', async () => {
  const before = recorder.seen.length;
  const res = await stack.admin('POST', '/admin/keys', { metadata: { pad: 'x'.repeat(1024 * 1024) } });
  expect(res).toEqual({
    status: 413,
    body: { error: { message: expect.stringContaining('1048576'), type: 'invalid_request_error', code: 'request_too_large', param: null } },
  });
  expect(recorder.seen.length).toBe(before);
});
