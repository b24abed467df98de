import { cacheRequestHeadersOf, parseCacheControl, restoreCacheRequestHeaders } from '../../../lib/semantic-cache/cache-control';

test.each([
  [undefined, { noStore: false, noCache: false, maxAge: null, ttlSeconds: null }],
  ['no-store', { noStore: true, noCache: false, maxAge: null, ttlSeconds: null }],
  ['No-Cache, max-age=60', { noStore: false, noCache: true, maxAge: 60, ttlSeconds: null }],
  ['max-age=abc, max-age=-1', { noStore: false, noCache: false, maxAge: null, ttlSeconds: null }],
  [`${'x,'.repeat(10_000)}no-store`, { noStore: false, noCache: false, maxAge: null, ttlSeconds: null }],
])('Cache-Control %s', (header, expected) => {
  expect(parseCacheControl(header)).toEqual(expected);
});

test.each([
  ['600', 600],
  [' 30 ', 30],
  ['0', null],
  ['-5', null],
  ['1e3', null],
  ['9999999999', null],
  ['', null],
])('X-Aigw-Cache-Ttl %p', (header, expected) => {
  expect(parseCacheControl(undefined, header).ttlSeconds).toBe(expected);
});

test('the headers aigw-virtual-key carries: repeated Cache-Control lines joined, nothing when neither was sent, bounded', () => {
  expect(cacheRequestHeadersOf({ 'content-type': ['application/json'] })).toBeUndefined();
  expect(cacheRequestHeadersOf({ 'cache-control': ['no-cache', 'max-age=5'] })).toEqual({ cacheControl: 'no-cache,max-age=5', ttl: null });
  expect(cacheRequestHeadersOf({ 'x-aigw-cache-ttl': ['60', '70'] })).toEqual({ cacheControl: null, ttl: '60' });
  expect(cacheRequestHeadersOf({ 'cache-control': ['x'.repeat(5000)] })?.cacheControl).toHaveLength(1024);
  expect(restoreCacheRequestHeaders({ cacheControl: 5, ttl: '9' })).toEqual({ cacheControl: null, ttl: '9' });
  expect(restoreCacheRequestHeaders('no-store')).toBeUndefined();
});
