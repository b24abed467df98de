import { clientFormatOf, gatewayError } from '../../../lib/errors';
import type { Kong } from '../../../lib/kong/pdk';
import { exitWith, requestPath } from '../../../lib/kong/respond';

interface Exit {
  status: number;
  body: unknown;
  headers: Record<string, string | string[]>;
}

function fakeKong(path: Promise<string>): { kong: Kong; exits: Exit[] } {
  const exits: Exit[] = [];
  const kong = {
    request: { getPath: () => path },
    response: {
      exit: async (status: number, body: string, headers: Record<string, string>) => {
        exits.push({ status, body: JSON.parse(body), headers });
      },
    },
  } as unknown as Kong;
  return { kong, exits };
}

describe('exitWith: the one way a plugin answers an error', () => {
  const limited = gatewayError(429, 'Slow down.', 'rate_limit_exceeded', null, { 'retry-after': '3' });

  it("answers in OpenAI's shape with the error's headers", async () => {
    const { kong, exits } = fakeKong(Promise.resolve('/v1/chat/completions'));
    await exitWith(kong, 'openai', gatewayError(400, 'Bad field.', 'invalid_type', 'messages'));
    await exitWith(kong, 'openai', limited);
    expect(exits[0]).toMatchObject({
      status: 400,
      body: { error: { message: 'Bad field.', type: 'invalid_request_error', code: 'invalid_type', param: 'messages' } },
    });
    expect(exits[1]).toMatchObject({ status: 429, headers: { 'retry-after': '3', 'Content-Type': 'application/json; charset=utf-8' } });
  });

  it("answers in Anthropic's shape, the code kept in the message", async () => {
    const { kong, exits } = fakeKong(Promise.resolve('/v1/messages'));
    await exitWith(kong, clientFormatOf(await requestPath(kong)), limited);
    expect(exits[0]).toEqual({
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down. (rate_limit_exceeded)' } },
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'retry-after': '3' },
    });
  });

  it("requestPath reads the path, and is empty (OpenAI's shape) when the path cannot be read", async () => {
    expect(clientFormatOf(await requestPath(fakeKong(Promise.resolve('/v1/messages/batches')).kong))).toBe('anthropic');
    expect(await requestPath(fakeKong(Promise.resolve('/v1/embeddings')).kong)).toBe('/v1/embeddings');
    expect(await requestPath(fakeKong(Promise.reject(new Error('PDK raised'))).kong)).toBe('');
    expect(clientFormatOf('')).toBe('openai');
  });
});
