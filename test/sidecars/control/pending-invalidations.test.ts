import { type PendingBatch, PendingInvalidations } from '../../../sidecars/control/pending-invalidations';

const key = (id: string, hash: string) => ({ type: 'key' as const, id, hash });
const slots = (batch: PendingBatch | null): unknown => (batch?.kind === 'entries' ? batch.entries.map((e) => [e.hash, e.message]) : batch);

describe('PendingInvalidations', () => {
  it('coalesces per key hash and per team, keeping each where it first failed', () => {
    const q = new PendingInvalidations(10);
    q.add([key('a', 'ha')]);
    q.add([{ type: 'team', id: 't' }], ['hb', 'ha']);
    q.add([key('a', 'ha'), key('b', 'hb')]);
    q.add([{ type: 'team', id: 't' }]);
    expect(q.size).toBe(3);
    expect(slots(q.next(10))).toEqual([
      ['ha', key('a', 'ha')],
      [null, { type: 'team', id: 't' }],
      ['hb', key('b', 'hb')],
    ]);
  });

  it('a DEL alone keeps the message already waiting for the same hash', () => {
    const q = new PendingInvalidations(10);
    q.add([key('a', 'ha')]);
    q.add([{ type: 'team', id: 't' }], ['ha']);
    expect(slots(q.next(1))).toEqual([['ha', key('a', 'ha')]]);
  });

  it('hands out the oldest first and forgets only what was delivered unchanged', () => {
    const q = new PendingInvalidations(10);
    q.add([key('a', 'ha'), key('b', 'hb'), key('c', 'hc')]);
    const first = q.next(2)!;
    q.add([key('a2', 'ha')]); // changed while its delivery was in flight
    q.settle(first, true);
    expect(slots(q.next(10))).toEqual([
      ['ha', key('a2', 'ha')],
      ['hc', key('c', 'hc')],
    ]);
    const failed = q.next(10)!;
    q.settle(failed, false);
    expect(q.size).toBe(2);
  });

  it('past its bound becomes one flush of everything; a change during that flush is kept on its own', () => {
    const q = new PendingInvalidations(2);
    q.add([key('a', 'ha'), key('b', 'hb'), key('c', 'hc')]);
    expect({ size: q.size, overflowed: q.overflowed }).toEqual({ size: 1, overflowed: true });
    q.add([key('d', 'hd')]); // covered by the flush, which has not started yet
    expect(q.size).toBe(1);
    const flush = q.next(10)!;
    expect(flush).toEqual({ kind: 'flush-all' });
    q.add([key('e', 'he')]); // the flush may have passed its entry already
    q.settle(flush, false); // and it failed: pending again, covering `e` too
    expect({ size: q.size, overflowed: q.overflowed }).toEqual({ size: 1, overflowed: true });
    const again = q.next(10)!;
    q.add([key('f', 'hf')]);
    q.settle(again, true);
    expect(slots(q.next(10))).toEqual([['hf', key('f', 'hf')]]);
  });
});
