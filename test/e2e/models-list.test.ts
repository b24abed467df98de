/**
 * `GET /v1/models` lists what the key may send: the configured models its key and team allow,
 * and its aliases of them; `GET /v1/models/{name}` is 404 for anything else. Driven by the
 * official openai client through the whole gateway (the key plugin hands the key's model rules
 * to aigw-proxy in its identity).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { uniqueName } from './helpers';

let stack: DevStack;

const clientFor = (key: string): OpenAI => new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });

async function listed(client: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  return ids;
}

beforeAll(async () => {
  stack = await startDevStack({ env: {} });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('GET /v1/models for a key', () => {
  it('an unrestricted key lists every configured model', async () => {
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('models-any') });
    expect(created.status).toBe(201);
    // Every model the deck configures, in its order (a remote run's deck adds the tests' Azure deployments).
    expect(Object.keys(stack.routing)).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'gemini-embedding-001', 'claude-sonnet-4-6', 'gemini-3.5-flash', 'smart']),
    );
    expect(await listed(clientFor(created.body.key as string))).toEqual(Object.keys(stack.routing));
  });

  it('a restricted key lists only what it and its team may use, with its aliases as names it may send', async () => {
    const teamName = uniqueName('models-team');
    const team = await stack.admin('POST', '/admin/teams', { name: teamName, models: ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-6'] });
    expect(team.status).toBe(201);
    const created = await stack.admin('POST', '/admin/keys', {
      key_alias: uniqueName('models-limited'),
      team: teamName,
      models: ['gpt-4o-mini', 'gpt-4o'],
      // fast: allowed · smartest: the key may not use claude · ghost: not configured here.
      model_aliases: { fast: 'gpt-4o-mini', smartest: 'claude-sonnet-4-6', ghost: 'gpt-9' },
    });
    expect(created.status).toBe(201);
    const client = clientFor(created.body.key as string);

    expect(await listed(client)).toEqual(['gpt-4o-mini', 'gpt-4o', 'fast']);
    expect(await client.models.retrieve('fast')).toMatchObject({ id: 'fast', object: 'model' });
    expect(await client.models.retrieve('gpt-4o')).toMatchObject({ id: 'gpt-4o' });
    for (const name of ['claude-sonnet-4-6', 'smartest', 'ghost', 'gemini-3.5-flash']) {
      await expect(client.models.retrieve(name)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    }
  });

  it("the Anthropic SDK gets Anthropic's list and model shape from the same endpoint", async () => {
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('models-anthropic'), models: ['claude-sonnet-4-6', 'gpt-4o'] });
    expect(created.status).toBe(201);
    const client = new Anthropic({ baseURL: stack.url, apiKey: created.body.key as string, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model).toMatchObject({ type: 'model', display_name: model.id, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      ids.push(model.id);
    }
    expect(ids).toEqual(['gpt-4o', 'claude-sonnet-4-6']);
    expect(await client.models.retrieve('claude-sonnet-4-6')).toMatchObject({ type: 'model', id: 'claude-sonnet-4-6' });
    await expect(client.models.retrieve('gemini-3.5-flash')).rejects.toMatchObject({ status: 404 });
  });

  it("the team's list restricts a key that has none of its own", async () => {
    const teamName = uniqueName('models-team-only');
    await stack.admin('POST', '/admin/teams', { name: teamName, models: ['gemini-3.5-flash'] });
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('models-team-key'), team: teamName });
    expect(created.status).toBe(201);
    const client = clientFor(created.body.key as string);
    expect(await listed(client)).toEqual(['gemini-3.5-flash']);
    await expect(client.models.retrieve('gpt-4o-mini')).rejects.toMatchObject({ status: 404 });
  });
});
