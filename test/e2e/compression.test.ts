/**
 * Prompt compression end to end: the official `openai` (chat and Responses), `@anthropic-ai/sdk`
 * and `@google/genai` clients send long prompts through Kong with aigw-prompt-compressor on, the inference sidecar (a real gRPC process
 * with worker threads) shrinks them, the provider mock receives the compressed body, the client
 * gets a normal answer with `x-aigw-compression`, and the tokens and dollars saved reach the
 * ledger, `aigw spend` and the relay's metrics.
 *
 * How it can fail: the system prompt or a cached prefix rewritten (a provider cache miss, or a
 * changed instruction), the question itself pruned, the client's markers sent to the provider,
 * savings not recorded or recorded for a failed-open request, or a stopped sidecar failing the
 * request instead of sending the original prompt.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { mockDirective } from '../harness/mock-provider';
import { countInputTokens } from '../harness/mock-provider/openai-responses';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { waitForLedger } from './billing-helpers';
import { uniqueName } from './helpers';
import { describeCalls, pdkCallMeter } from './pdk-calls';

const local = localOnly('starts the inference sidecar and stops it');
const measure = pdkCallMeter();
const run = promisify(execFile);

let stack: DevStack;
let key: string;
let keyId: string;
let openai: OpenAI;
let anthropic: Anthropic;
/** The Responses and Google requests' own key: the ledger test below counts the first key's rows. */
let formatsKey: string;

beforeAll(async () => {
  stack = await startDevStack({
    env: {},
    inference: { env: { INFERENCE_BUILTIN_EMBEDDER: 'false' } },
    // What is tested here is what compression does, not how fast: a loaded machine must not turn
    // it into a fail-open (the deadline itself is tested against the sidecar and in the plugin's tests).
    sourceTransform: (deck) => {
      for (const config of pluginConfigs(deck, 'aigw-prompt-compressor')) Object.assign(config, { deadline_ms_per_1k_tokens: 2000, deadline_ms_max: 20000 });
      return deck;
    },
  });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('compression') });
  expect(created.status).toBe(201);
  key = created.body.key as string;
  keyId = created.body.id as string;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: key, maxRetries: 0 });
  const formats = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('compression-formats') });
  expect(formats.status).toBe(201);
  formatsKey = formats.body.key as string;
}, 90_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

beforeEach(() => stack.mock.reset());

const SERVICES = ['checkout', 'search', 'billing', 'inventory', 'shipping', 'identity', 'payments', 'catalog'];

/** A long report of similar facts: only one sentence answers the question. */
function report(): string {
  const paragraphs: string[] = [];
  for (let week = 1; week <= 12; week++) {
    const lines = SERVICES.map(
      (service, i) =>
        `During week ${week} the ${service} service handled about ${1000 + week * 37 + i * 11} requests per minute, and the team reviewed its dashboards on Thursday as usual.`,
    );
    paragraphs.push(lines.join(' '));
  }
  paragraphs.splice(7, 0, 'The root cause of the March outage was an expired TLS certificate on the payments gateway, renewed by Dana Whitfield at 04:12 UTC.');
  return paragraphs.join('\n\n');
}

const QUESTION = 'What was the root cause of the March outage, and who fixed it?';
const SYSTEM = 'You are an incident analyst. Answer in one sentence and cite the paragraph.';

const header = (value: string | null): { original: number; compressed: number } => {
  const match = /^method=([a-z_,]+); original=(\d+); compressed=(\d+)$/.exec(value ?? '');
  expect(match).not.toBeNull();
  return { original: Number(match![2]), compressed: Number(match![3]) };
};

const sentBody = (): Record<string, unknown> => {
  expect(stack.mock.requests).toHaveLength(1);
  return stack.mock.requests[0]!.body as Record<string, unknown>;
};

local.describe('prompt compression through the gateway', () => {
  test('openai client: the latest user text is compressed towards the question; system, earlier turns and the question are byte-identical', async () => {
    const earlier = `Earlier context that must stay as it was. ${'Keep this exact wording. '.repeat(40)}`;
    const latest = `${report()}\n\n<aigw:keep>${mockDirective({ tokens: 7 })}</aigw:keep>\n\n${QUESTION}`;
    const { data, response } = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 50,
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'user', content: earlier },
          { role: 'assistant', content: 'Understood.' },
          { role: 'user', content: latest },
        ],
      })
      .withResponse();
    expect(data.choices[0]!.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBe(7);
    const counts = header(response.headers.get('x-aigw-compression'));
    expect(counts.compressed).toBeLessThan(counts.original * 0.75);

    const messages = sentBody().messages as Array<{ role: string; content: string }>;
    expect(messages.slice(0, 3)).toEqual([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: earlier },
      { role: 'assistant', content: 'Understood.' },
    ]);
    const sent = messages[3]!.content;
    expect(sent.length).toBeLessThan(latest.length * 0.75);
    expect(sent.endsWith(`\n\n${QUESTION}`)).toBe(true);
    expect(sent).toContain(mockDirective({ tokens: 7 }));
    expect(sent).not.toContain('aigw:keep');
    // The one sentence that answers the question survives (question-aware ranking).
    expect(sent).toContain('Dana Whitfield');

    const requestId = response.headers.get('x-kong-request-id')!;
    const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId));
    expect(record.compression).toMatchObject({ method: 'question_aware', outcome: 'compressed', tokensSaved: counts.original - counts.compressed });
    expect(record.compression!.savedNano).toBeGreaterThan(0);
  });

  test('anthropic client: tool results are compacted; the cache_control prefix and the system prompt are byte-identical', async () => {
    const cached = `Repository guide. ${'Follow the style guide exactly. '.repeat(60)}`;
    const files = Array.from({ length: 120 }, (_, i) => ({ path: `src/module_${i}/index.ts`, size: 1000 + i, mode: '100644', kind: 'file' }));
    const toolOutput = JSON.stringify(files, null, 2);
    const request: Anthropic.MessageCreateParamsNonStreaming = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: cached, cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'list_files', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: toolOutput }] },
      ],
    };
    const { data, response } = await anthropic.messages.create(request).withResponse();
    expect(data.type).toBe('message');
    const counts = header(response.headers.get('x-aigw-compression'));
    expect(counts.compressed).toBeLessThan(counts.original * 0.7);

    const body = sentBody() as { system: unknown; messages: Array<{ content: Array<Record<string, unknown>> }> };
    expect(body.system).toEqual(request.system);
    expect(body.messages.slice(0, 2)).toEqual(request.messages.slice(0, 2));
    const sentResult = body.messages[2]!.content[0]!;
    expect(sentResult).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_01' });
    expect((sentResult.content as string).length).toBeLessThan(toolOutput.length * 0.6);
  });

  test('openai client, Responses API: the latest user text and the function output are compressed; instructions and the call are byte-identical', async () => {
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: formatsKey, maxRetries: 0 });
    const latest = `${report()}\n\n${QUESTION} ${mockDirective({ tokens: 6 })}`;
    const files = Array.from({ length: 120 }, (_, i) => ({ path: `src/module_${i}/index.ts`, size: 1000 + i, mode: '100644', kind: 'file' }));
    const toolOutput = JSON.stringify(files, null, 2);
    const call = { type: 'function_call' as const, call_id: 'call_1', name: 'list_files', arguments: '{}' };
    const request: OpenAI.Responses.ResponseCreateParamsNonStreaming = {
      model: 'gpt-4o-mini',
      max_output_tokens: 50,
      instructions: SYSTEM,
      input: [call, { type: 'function_call_output', call_id: 'call_1', output: toolOutput }, { role: 'user', content: latest }],
    };
    const { data, response } = await client.responses.create(request).withResponse();
    expect(response.status).toBe(200);
    expect(data.usage?.output_tokens).toBe(6);
    // The provider counted the prompt it received: well under what the client sent.
    expect(data.usage!.input_tokens).toBeLessThan(countInputTokens(request as unknown as Record<string, unknown>) * 0.75);
    expect(response.headers.get('x-aigw-compression')).toMatch(/^method=structured,question_aware; /);
    const counts = header(response.headers.get('x-aigw-compression'));
    expect(counts.compressed).toBeLessThan(counts.original * 0.75);

    const sent = sentBody() as { instructions: string; input: Array<Record<string, unknown>> };
    expect(sent.instructions).toBe(SYSTEM);
    expect(sent.input[0]).toEqual(call);
    expect((sent.input[1]!.output as string).length).toBeLessThan(toolOutput.length * 0.6);
    const text = sent.input[2]!.content as string;
    expect(text.length).toBeLessThan(latest.length * 0.75);
    expect(text.endsWith(`\n\n${QUESTION} ${mockDirective({ tokens: 6 })}`)).toBe(true);
    expect(text).toContain('Dana Whitfield');

    const requestId = response.headers.get('x-kong-request-id')!;
    const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId));
    expect(record.compression).toMatchObject({ outcome: 'compressed', tokensSaved: counts.original - counts.compressed });
  });

  test('@google/genai client: the latest user text is compressed; systemInstruction and the earlier turns are byte-identical', async () => {
    const ai = new GoogleGenAI({ apiKey: formatsKey, httpOptions: { baseUrl: stack.url } });
    const earlier = [
      { role: 'user', parts: [{ text: `Earlier context that must stay as it was. ${'Keep this exact wording. '.repeat(40)}` }] },
      { role: 'model', parts: [{ text: 'Understood.' }] },
    ];
    const latest = `${report()}\n\n${QUESTION} ${mockDirective({ tokens: 5 })}`;
    const answer = await ai.models.generateContent({
      model: 'gemini-3.5-flash',
      contents: [...earlier, { role: 'user', parts: [{ text: latest }] }],
      config: { systemInstruction: SYSTEM, maxOutputTokens: 50 },
    });
    expect(answer.text?.length).toBeGreaterThan(0);
    expect(answer.usageMetadata?.candidatesTokenCount).toBe(5);
    const value = answer.sdkHttpResponse?.headers?.['x-aigw-compression'] ?? null;
    expect(value).toMatch(/^method=question_aware; /);
    const counts = header(value);
    expect(counts.compressed).toBeLessThan(counts.original * 0.75);

    const sent = sentBody() as { systemInstruction: { parts: Array<{ text: string }> }; contents: Array<{ parts: Array<{ text: string }> }> };
    expect(sent.systemInstruction.parts).toEqual([{ text: SYSTEM }]);
    expect(sent.contents.slice(0, 2)).toEqual(earlier);
    const text = sent.contents[2]!.parts[0]!.text;
    expect(text.length).toBeLessThan(latest.length * 0.75);
    expect(text.endsWith(`\n\n${QUESTION} ${mockDirective({ tokens: 5 })}`)).toBe(true);
    expect(text).toContain('Dana Whitfield');
  });

  test('@google/genai client: a function response is compacted into a table that is still data; the model’s call is byte-identical', async () => {
    const ai = new GoogleGenAI({ apiKey: formatsKey, httpOptions: { baseUrl: stack.url } });
    const files = Array.from({ length: 120 }, (_, i) => ({ path: `src/module_${i}/index.ts`, size: 1000 + i, mode: '100644', kind: 'file' }));
    const call = { role: 'model', parts: [{ functionCall: { name: 'list_files', args: {} } }] };
    const answer = await ai.models.generateContent({
      model: 'gemini-3.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Which module is the largest?' }] },
        call,
        { role: 'user', parts: [{ functionResponse: { name: 'list_files', response: { result: files } } }] },
      ],
      config: { maxOutputTokens: 50 },
    });
    expect(answer.text?.length).toBeGreaterThan(0);
    const value = answer.sdkHttpResponse?.headers?.['x-aigw-compression'] ?? null;
    expect(value).toMatch(/^method=structured; /);
    expect(header(value).compressed).toBeLessThan(header(value).original * 0.75);

    const sent = sentBody() as { contents: Array<{ parts: Array<{ functionResponse?: { name: string; response: { result: unknown } } }> }> };
    expect(sent.contents[1]).toEqual(call);
    const result = sent.contents[2]!.parts[0]!.functionResponse!;
    expect(result.name).toBe('list_files');
    // The structured method's table is JSON: it goes back as data, every file still in it.
    const table = result.response.result as { '#table': string[]; rows: unknown[][] };
    expect(table['#table']).toEqual(['path', 'size', 'mode', 'kind']);
    expect(table.rows).toHaveLength(files.length);
    expect(table.rows[119]).toEqual(['src/module_119/index.ts', 1119, '100644', 'file']);
    expect(JSON.stringify(table).length).toBeLessThan(JSON.stringify(files).length * 0.8);
  });

  test('a streamed answer carries the header too (set in access, before the relay answers)', async () => {
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        stream: true,
        max_tokens: 20,
        messages: [{ role: 'user', content: `${report()}\n\n${QUESTION} ${mockDirective({ tokens: 5 })}` }],
      })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const counts = header(response.headers.get('x-aigw-compression'));
    expect(counts.compressed).toBeLessThan(counts.original);
  });

  test('below min_tokens nothing is touched and no header is set', async () => {
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `Short question? ${mockDirective({ tokens: 3 })}` }] })
      .withResponse();
    expect(response.headers.get('x-aigw-compression')).toBeNull();
    expect((sentBody().messages as Array<{ content: string }>)[0]!.content).toBe(`Short question? ${mockDirective({ tokens: 3 })}`);
  });

  test("PDK round trips: one for a short prompt (the identity's length), six to compress", async () => {
    const compressorLine = async (content: string): Promise<string | undefined> => {
      const calls = await measure(() =>
        openai.chat.completions.create({
          model: 'gpt-4o-mini',
          max_tokens: 20,
          messages: [{ role: 'user', content: `${content} ${mockDirective({ tokens: 2 })}` }],
        }),
      );
      return describeCalls(calls).find((line) => line.startsWith('aigw-prompt-compressor'));
    };
    expect(await compressorLine('Short question?')).toBe('aigw-prompt-compressor access: ctx.shared.get');
    expect(await compressorLine(`${report()}\n\n${QUESTION}`)).toBe(
      'aigw-prompt-compressor access: ctx.shared.get, request.get_path, request.get_raw_body, service.request.set_raw_body, ctx.shared.set, response.set_header',
    );
  });

  test('savings reach the ledger, aigw spend and the relay metrics', async () => {
    const rows = await waitForLedger(stack.stores.databaseUrl, { keyIds: [keyId] }, 6);
    const compressed = rows.filter((r) => r.compression_method !== null);
    // The openai, anthropic, streamed and round-trip requests were compressed; the short one was not.
    expect(compressed.map((r) => r.compression_method).sort()).toEqual(['question_aware', 'question_aware', 'question_aware', 'structured']);
    for (const row of compressed) expect(row.compression_tokens_saved).toBeGreaterThan(0);
    expect(rows.filter((r) => r.compression_method === null)).toHaveLength(rows.length - 4);
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'aigw.js'), 'spend', '--group-by', 'key', '--key', keyId, '--json'], {
      env: { PATH: process.env.PATH ?? '', AIGW_ADMIN_URL: stack.url, AIGW_ADMIN_KEY: stack.adminKey },
    });
    const spend = JSON.parse(stdout) as { totals: { compression_tokens_saved: number; compression_saved_usd: number } };
    expect(spend.totals.compression_tokens_saved).toBeGreaterThan(1000);
    expect(spend.totals.compression_saved_usd).toBeGreaterThan(0);
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toMatch(/aigw_compression_tokens_saved_total\{model="gpt-4o-mini",method="question_aware"\} [1-9]/);
    expect(metrics).toMatch(/aigw_compression_saved_usd_total\{model="claude-sonnet-4-6",method="structured",team="[^"]*",key=""\} 0\.\d*[1-9]/);
  });

  test('a stopped sidecar: the original prompt goes on, the answer is normal, the header says why', async () => {
    await stack.inference!.close();
    const latest = `${report()}\n\n${QUESTION} ${mockDirective({ tokens: 4 })}`;
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: latest }] })
      .withResponse();
    expect(data.usage?.completion_tokens).toBe(4);
    expect(response.headers.get('x-aigw-compression')).toBe('method=question_aware; failed=unavailable');
    expect((sentBody().messages as Array<{ content: string }>)[0]!.content).toBe(latest);
    const requestId = response.headers.get('x-kong-request-id')!;
    const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId));
    expect(record.compression).toEqual({ method: 'question_aware', outcome: 'failed_open', tokensSaved: 0, savedNano: 0 });
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toContain('aigw_compression_requests_total{model="gpt-4o-mini",method="question_aware",outcome="failed_open"} 1');
  });
});
