/** Where aigw-virtual-key finds the key: every SDK's header, never the URL. */
import { extractCredential, hasUrlKey } from '../../../plugins/aigw-virtual-key/credentials';

describe('extractCredential', () => {
  it('reads the Google GenAI SDK’s x-goog-api-key, after the other SDKs’ headers', () => {
    expect(extractCredential({ 'x-goog-api-key': [' sk-aigw-g '] })).toBe('sk-aigw-g');
    expect(extractCredential({ 'x-goog-api-key': ['sk-aigw-g'], 'x-api-key': ['sk-aigw-a'] })).toBe('sk-aigw-a');
    expect(extractCredential({ 'x-goog-api-key': ['sk-aigw-g'], authorization: ['Bearer sk-aigw-o'] })).toBe('sk-aigw-o');
    expect(extractCredential({ 'x-goog-api-key': ['  '] })).toBeNull();
    expect(extractCredential({})).toBeNull();
  });
});

describe('hasUrlKey', () => {
  it.each([
    ['key=sk-aigw-x', true],
    ['alt=sse&key=sk-aigw-x', true],
    ['key', true],
    ['key&alt=sse', true],
    ['alt=sse', false],
    ['apikey=x', false],
    ['monkey=x', false],
    ['', false],
  ])('%s → %s', (query, expected) => {
    expect(hasUrlKey(query)).toBe(expected);
  });
});
