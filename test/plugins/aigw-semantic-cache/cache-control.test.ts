import { parseCacheControl } from '../../../plugins/aigw-semantic-cache/cache-control';

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
