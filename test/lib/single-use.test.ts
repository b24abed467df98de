import { SingleUse } from '../../lib/single-use';

describe('SingleUse', () => {
  it('accepts an id once while it is valid, and again only after it expired', () => {
    const once = new SingleUse();
    expect(once.claim('a', 1_000, 0)).toBe(true);
    expect(once.claim('a', 1_000, 500)).toBe(false);
    expect(once.claim('b', 1_000, 500)).toBe(true);
    // Expired: the envelope itself no longer verifies, so the slot may be reused.
    expect(once.claim('a', 3_000, 1_000)).toBe(true);
  });

  it('forgets expired ids, so memory follows traffic within the validity window', () => {
    const once = new SingleUse();
    for (let i = 0; i < 100; i++) once.claim(`id-${i}`, 1_000 + i, i);
    expect(once.size).toBe(100);
    once.claim('late', 10_000, 5_000);
    // Sweeps are bounded per call; a few calls clear everything expired.
    for (let i = 0; i < 3; i++) once.claim(`again-${i}`, 10_000, 5_000);
    expect(once.size).toBe(4);
  });

  it('refuses rather than forgets when full of live claims', () => {
    const once = new SingleUse(2);
    expect(once.claim('a', 1_000, 0)).toBe(true);
    expect(once.claim('b', 1_000, 0)).toBe(true);
    expect(once.claim('c', 1_000, 0)).toBe(false);
    expect(once.claim('a', 1_000, 0)).toBe(false);
    expect(once.claim('c', 2_000, 1_000)).toBe(true);
  });
});
