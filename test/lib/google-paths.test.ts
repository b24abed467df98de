/**
 * Google GenAI paths: what the gateway routes, the model it reads from the path (hostile names
 * included: Kong's router hands the path over normalised, dot segments resolved) and the client
 * format, hence the error shape, every path under /v1beta speaks.
 */
import { endpointOf } from '../../lib/endpoints';
import { clientFormatOf } from '../../lib/errors';
import { googlePathOf } from '../../lib/google-paths';
import { normalizePath } from '../harness/kong-double/router';

describe('googlePathOf', () => {
  it.each([
    ['/v1beta/models', { kind: 'models' }],
    ['/v1beta/models/gemini-2.5-flash', { kind: 'model', model: 'gemini-2.5-flash' }],
    ['/v1beta/models/gemini-2.5-flash:generateContent', { kind: 'generate', model: 'gemini-2.5-flash', stream: false }],
    ['/v1beta/models/gpt-4o:streamGenerateContent', { kind: 'generate', model: 'gpt-4o', stream: true }],
    // A name may hold ":" (Ollama's tags): only a known method after the last one is a method call.
    ['/v1beta/models/llama3:8b:generateContent', { kind: 'generate', model: 'llama3:8b', stream: false }],
    ['/v1beta/models/llama3:8b', { kind: 'model', model: 'llama3:8b' }],
    ['/v1beta/models/x:countTokens', { kind: 'model', model: 'x:countTokens' }],
    // The SDK sends models/{a/b} unescaped; an escaped slash names the same model.
    ['/v1beta/models/meta/llama:generateContent', { kind: 'generate', model: 'meta/llama', stream: false }],
    ['/v1beta/models/meta%2Fllama:generateContent', { kind: 'generate', model: 'meta/llama', stream: false }],
    // Malformed escapes are kept as sent, never thrown on.
    ['/v1beta/models/bad%ZZ:generateContent', { kind: 'generate', model: 'bad%ZZ', stream: false }],
    ['/v1beta/models/:generateContent', { kind: 'generate', model: '', stream: false }],
    ['/v1beta/models/x:GenerateContent', { kind: 'model', model: 'x:GenerateContent' }],
  ])('%s', (path, expected) => {
    expect(googlePathOf(path)).toEqual(expected);
  });

  it.each(['/v1/models', '/v1beta', '/v1beta/modelsx', '/v1beta/tunedModels/x:generateContent', '/v1/chat/completions'])('%s is not a model path', (path) => {
    expect(googlePathOf(path)).toBeUndefined();
  });

  it('a dot segment never escapes /v1beta/models: the router resolves it before any plugin sees the path', () => {
    const path = normalizePath('/v1beta/models/../../v1/chat/completions:generateContent');
    expect(path).toBe('/v1/chat/completions:generateContent');
    expect(googlePathOf(path)).toBeUndefined();
    expect(googlePathOf(normalizePath('/v1beta/models/%2E%2E/x:generateContent'))).toBeUndefined();
  });

  it('a very long name is read in linear time and handed over whole (aigw-proxy refuses it)', () => {
    const name = 'a:'.repeat(200_000);
    const started = performance.now();
    const parsed = googlePathOf(`/v1beta/models/${name}:streamGenerateContent`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(parsed).toEqual({ kind: 'generate', model: name, stream: true });
  });
});

describe('endpoint and client format of Google paths', () => {
  it('both generate methods are the generateContent endpoint; other Google paths are none', () => {
    expect(endpointOf('/v1beta/models/m:generateContent')).toBe('generateContent');
    expect(endpointOf('/v1beta/models/m:streamGenerateContent')).toBe('generateContent');
    expect(endpointOf('/v1beta/models/m')).toBeUndefined();
    expect(endpointOf('/v1beta/models/m:embedContent')).toBeUndefined();
  });

  it('every path under /v1beta speaks Google, unknown ones included; nothing else does', () => {
    expect(clientFormatOf('/v1beta/models/m:generateContent')).toBe('google');
    expect(clientFormatOf('/v1beta/files')).toBe('google');
    expect(clientFormatOf('/v1beta')).toBe('google');
    expect(clientFormatOf('/v1betax')).toBe('openai');
    expect(clientFormatOf('/v1/messages')).toBe('anthropic');
    expect(clientFormatOf('/v1/chat/completions')).toBe('openai');
  });
});
