/**
 * Prompt compression when the model work goes wrong, end to end through Kong and a real inference
 * sidecar process: a model that does not load and a deadline that passes both send the original
 * prompt (fail open) and say why; the llmlingua2 path runs a real ONNX graph and tokenizer.json
 * (the generated fixture model: mechanics, not quality) and drops the words the model scores low.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { InferenceClient } from '../../lib/inference/client';
import { FIXTURE_DROP_WORDS, FIXTURE_KEEP_WORDS, FIXTURE_MODEL_ID, writeFixtureModel } from '../../sidecars/inference/fixtures/make-fixture-model';
import { HOLD_METHOD } from '../../sidecars/inference/requests';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

const local = localOnly('starts an inference sidecar with generated models and test hooks');
const LINGUA_HOST = 'lingua.test.local';
const BROKEN_HOST = 'broken-model.test.local';
const BROKEN_MODEL = 'fixture-corrupt';

const modelsDir = mkdtempSync(join(tmpdir(), 'aigw-models-'));
let stack: DevStack;
let key: string;
let parker: InferenceClient | undefined;

/** A model whose bytes match its manifest but are no ONNX graph: it fails to load. */
function writeBrokenModel(): void {
  const dir = writeFixtureModel(modelsDir, BROKEN_MODEL);
  const garbage = Buffer.from('this is not an onnx graph');
  writeFileSync(join(dir, 'model.onnx'), garbage);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.files.find((f: { path: string }) => f.path === 'model.onnx').sha256 = createHash('sha256').update(garbage).digest('hex');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** A twin of the chat route for `host` whose compressor uses llmlingua2 with `model`. */
function llmlinguaRoute(host: string, model: string): Record<string, unknown> {
  return {
    name: `chat-${host}`,
    paths: ['/v1/chat/completions'],
    hosts: [host],
    methods: ['POST'],
    strip_path: false,
    plugins: [
      {
        name: 'aigw-prompt-compressor',
        config: {
          method: 'llmlingua2',
          tool_result_method: 'none',
          rate: 0.5,
          min_tokens: 0,
          deadline_ms_per_1k_tokens: 5000,
          deadline_ms_max: 20000,
          llmlingua2: { model },
        },
      },
    ],
  };
}

beforeAll(async () => {
  writeFixtureModel(modelsDir);
  writeBrokenModel();
  stack = await startDevStack({
    env: {},
    inference: {
      env: { INFERENCE_MODELS_DIR: modelsDir, INFERENCE_WORKERS: '1', INFERENCE_TEST_HOOKS: 'true', INFERENCE_BUILTIN_EMBEDDER: 'false' },
    },
    sourceTransform: (deck) => {
      const service = (deck.services as Array<{ name: string; routes: unknown[] }>).find((s) => s.name === 'ai-relay')!;
      service.routes.push(llmlinguaRoute(LINGUA_HOST, FIXTURE_MODEL_ID), llmlinguaRoute(BROKEN_HOST, BROKEN_MODEL));
      return deck;
    },
  });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('compression-faults') });
  key = created.body.key as string;
}, 90_000);

afterAll(async () => {
  await stack?.close();
  parker?.close();
  rmSync(modelsDir, { recursive: true, force: true });
}, 30_000);

beforeEach(() => stack.mock.reset());

async function chat(content: string, host?: string): Promise<{ status: number; compression: string | undefined; sent: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (host) headers.host = host;
  const res = await request(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content }] }),
  });
  await res.body.text();
  const sent = (stack.mock.requests[0]?.body as { messages: Array<{ content: string }> } | undefined)?.messages[0]?.content ?? '';
  return { status: res.statusCode, compression: res.headers['x-aigw-compression'] as string | undefined, sent };
}

const FIXTURE_TEXT = Array.from({ length: 20 }, () => `${FIXTURE_KEEP_WORDS.join(' the ')} ${FIXTURE_DROP_WORDS.join(' ')}.`).join(' ');
const QUESTION = 'Which words stay?';

local.describe('compression faults and the llmlingua2 model path', () => {
  test('llmlingua2: a real ONNX graph and tokenizer.json decide; low-scored words are dropped, high-scored kept', async () => {
    const content = `${FIXTURE_TEXT}\n\n<aigw:keep>${mockDirective({ tokens: 2 })}</aigw:keep>\n\n${QUESTION}`;
    const answer = await chat(content, LINGUA_HOST);
    expect(answer.status).toBe(200);
    expect(answer.compression).toMatch(/^method=llmlingua2; original=\d+; compressed=\d+$/);
    const context = answer.sent.slice(0, answer.sent.indexOf(mockDirective({ tokens: 2 })));
    const words = context.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    for (const keep of FIXTURE_KEEP_WORDS) expect(words.filter((w) => w === keep)).toHaveLength(20);
    for (const drop of FIXTURE_DROP_WORDS) expect({ drop, kept: words.filter((w) => w === drop).length }).toEqual({ drop, kept: 0 });
    expect(answer.sent.endsWith(`\n\n${QUESTION}`)).toBe(true);
  });

  test('a model that failed to load: the original prompt goes on, and the header says why', async () => {
    const content = `${FIXTURE_TEXT}\n\n${QUESTION} ${mockDirective({ tokens: 2 })}`;
    const answer = await chat(content, BROKEN_HOST);
    expect(answer).toEqual({ status: 200, compression: 'method=llmlingua2; failed=failed_precondition', sent: content });
  });

  test('a deadline that passes (the only worker busy): the original prompt goes on, on time', async () => {
    // Park the sidecar's one worker (a test hook), so the compressor's job waits past its deadline.
    // The parked call ends when the stack stops the sidecar (it opens the gate on shutdown).
    parker = new InferenceClient({ address: stack.inference!.address });
    void parker.compress({ method: HOLD_METHOD, segments: [] }, 60_000);
    await waitFor(async () => /aigw_inference_workers_busy 1\b/.test(await (await fetch(`${stack.inference!.url}/metrics`)).text()), 5000, 'the worker parked');
    const content = `${'The report goes on about nothing in particular. '.repeat(200)}\n\n${QUESTION} ${mockDirective({ tokens: 2 })}`;
    const started = Date.now();
    const answer = await chat(content);
    expect(answer).toEqual({ status: 200, compression: 'method=question_aware; failed=deadline_exceeded', sent: content });
    // The default deadline for ~2.5k tokens is 75 ms: the request is not held for the parked worker.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
