/**
 * What the policy plugins did, as the records show it, through the whole gateway (`make dev`'s
 * chat route: aigw-prompt-template, then aigw-guardrails with PII redact and secrets block), with
 * the official OpenAI SDK: a redacted request's spend-ledger and request-log rows say
 * `pii:redact`; a blocked request's request-log row names the detector that blocked; a templated
 * request's rows name the template and version (`GET /admin/requests/{id}`, `aigw logs ID`,
 * `aigw logs --template`); and a templated request's tokens per minute are counted on the
 * rendered prompt, not the short request the client sent.
 *
 * How it can fail: the actions not carried from the plugin through the plan to the relay, the
 * refusal row written without them, the template columns not written by the relay's request-log
 * sink, or aigw-prompt-template not topping up the token window (the exact remaining count below
 * is then higher by what rendering added).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { Client } from 'pg';
import { estimatePromptTokens } from '../../lib/tokens';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { rawChat } from './billing-helpers';
import { loggedRequest, uniqueName } from './helpers';

const local = localOnly('reads the stack’s PostgreSQL and runs the built CLI');
const run = promisify(execFile);

const TEMPLATE = uniqueName('policy-records');
/** A long system prompt: the rendered request is far larger than the one the client sends. */
const POLICY = 'Answer as the ACME support desk, politely and briefly, citing the order policy. '.repeat(40);
const EMAIL = 'jane.doe@example.com';
const SECRET = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';

let stack: DevStack;
let openai: OpenAI;
let key: string;
let db: Client;

// biome-ignore lint/suspicious/noExplicitAny: JSON the test inspects freely
type Json = any;

beforeAll(async () => {
  stack = await startDevStack({ env: {}, guardrails: true, templates: true });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('policy-records') });
  expect(created.status).toBe(201);
  key = created.body.key as string;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });
  const definition = {
    kind: 'chat',
    messages: [
      { role: 'system', content: POLICY },
      { role: 'user', content: 'Order {{order_id}}' },
    ],
    variables: [{ name: 'order_id', type: 'number' }],
  };
  expect((await stack.admin('POST', '/admin/prompts', { name: TEMPLATE, definition, labels: ['production'] })).status).toBe(201);
  db = new Client({ connectionString: stack.stores.databaseUrl });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db?.end().catch(() => undefined);
  await stack?.close();
}, 60_000);

const ask = (text: string): OpenAI.ChatCompletionCreateParamsNonStreaming => ({
  model: 'gpt-4o-mini',
  max_tokens: 32,
  messages: [{ role: 'user', content: `${text} ${mockDirective({ tokens: 3 })}` }],
});

const logged = (id: string): Promise<Json> => loggedRequest(stack, id);

async function ledgerRow(id: string): Promise<Json> {
  return waitFor(
    async () => {
      const { rows } = await db.query('SELECT guardrail_actions, template_name, template_version FROM aigw_spend_ledger WHERE request_id = $1', [id]);
      return rows[0];
    },
    10_000,
    `request ${id} in the spend ledger`,
  );
}

async function aigw(...args: string[]): Promise<Json> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'aigw.js'), ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', AIGW_ADMIN_URL: stack.url, AIGW_ADMIN_KEY: stack.adminKey },
  });
  return JSON.parse(stdout);
}

local.describe('guardrail actions and templates in the records', () => {
  test('a redacted request: `pii:redact` in its ledger row and its request-log row, and the provider never saw the address', async () => {
    const { response } = await openai.chat.completions.create(ask(`Please write to ${EMAIL} about my order.`)).withResponse();
    const id = response.headers.get('x-kong-request-id')!;
    expect(JSON.stringify(stack.mock.requests.at(-1)!.body)).not.toContain(EMAIL);
    const row = await logged(id);
    expect(row).toMatchObject({ answered_by: 'relay', status: 200, guardrail_actions: 'pii:redact', template: null });
    expect(await ledgerRow(id)).toEqual({ guardrail_actions: 'pii:redact', template_name: null, template_version: null });
  });

  test('a blocked request: its request-log row names the detector that blocked, and it has no ledger row', async () => {
    const sent = stack.mock.requests.length;
    const error = await openai.chat.completions.create(ask(`My key is ${SECRET}, is it valid?`)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const refused = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(refused.code).toBe('content_policy_violation');
    expect(stack.mock.requests.length).toBe(sent);
    const id = refused.headers?.get('x-kong-request-id') as string;
    const row = await logged(id);
    expect(row).toMatchObject({ answered_by: 'aigw-guardrails', status: 400, error_code: 'content_policy_violation', guardrail_actions: 'secrets:block' });
    expect(JSON.stringify(row)).not.toContain(SECRET);
    const { rows } = await db.query('SELECT 1 FROM aigw_spend_ledger WHERE request_id = $1', [id]);
    expect(rows).toEqual([]);
  });

  test('a templated request: template and version in the request log (API and `aigw logs`) and the ledger; `--template` finds it', async () => {
    const body = { ...ask('Where is it?'), prompt: { id: TEMPLATE, variables: { order_id: 42 } } } as never as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { response } = await openai.chat.completions.create(body).withResponse();
    const id = response.headers.get('x-kong-request-id')!;
    expect(await logged(id)).toMatchObject({ template: { name: TEMPLATE, version: 1 }, guardrail_actions: null });
    expect(await ledgerRow(id)).toEqual({ guardrail_actions: null, template_name: TEMPLATE, template_version: 1 });
    expect(await aigw('logs', id)).toMatchObject({ request_id: id, template: { name: TEMPLATE, version: 1 } });
    const listed = await aigw('logs', '--template', TEMPLATE);
    expect(listed.data.map((r: Json) => r.request_id)).toContain(id);
    expect(listed.data.every((r: Json) => r.template?.name === TEMPLATE)).toBe(true);
  });

  test('tokens per minute count the rendered prompt: the window after a templated request is its actual usage, exactly', async () => {
    const tpm = 1_000_000;
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('policy-tpm'), tpm_limit: tpm });
    expect(created.status).toBe(201);
    const tpmKey = created.body.key as string;
    const templated: Record<string, unknown> = { ...ask('Where is it?'), prompt: { id: TEMPLATE, variables: { order_id: 7 } } };
    const first = await rawChat(stack.url, tpmKey, templated);
    expect(first.status).toBe(200);
    // Rendering made the prompt far larger than what the client sent (and the key plugin admitted).
    const rendered = stack.mock.requests.at(-1)!.body as Record<string, unknown>;
    expect(estimatePromptTokens(rendered)).toBeGreaterThan(estimatePromptTokens(templated) + 300);
    const actual = (first.body.usage as { total_tokens: number }).total_tokens;

    const plain = ask('And now a plain question.');
    const second = await rawChat(stack.url, tpmKey, plain as unknown as Record<string, unknown>);
    expect(second.status).toBe(200);
    // The relay corrected the window from the rendered estimate to the actual usage: nothing of the
    // rendered prompt went uncounted (without the top-up this would be higher by what rendering added).
    expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBe(tpm - actual - estimatePromptTokens(plain as unknown as Record<string, unknown>));
  });
});
