import { parseCacheControl } from '../../../plugins/aigw-semantic-cache/cache-control';

test.each([
  [undefined, { noStore: false, noCache: false, maxAge: null }],
  ['no-store', { noStore: true, noCache: false, maxAge: null }],
  ['No-Cache, max-age=60', { noStore: false, noCache: true, maxAge: 60 }],
  ['max-age=abc, max-age=-1', { noStore: false, noCache: false, maxAge: null }],
  [`${'x,'.repeat(10_000)}no-store`, { noStore: false, noCache: false, maxAge: null }],
])('Cache-Control %s', (header, expected) => {
  expect(parseCacheControl(header)).toEqual(expected);
});
