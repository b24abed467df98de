/**
 * Polls `probe` every 20 ms until it returns something other than undefined or false; fails naming
 * `what` after `timeoutMs`. `false` waits too: a probe written as a condition (`a === b`) means
 * "not yet", and resolving with it would end the wait at once, asserting nothing.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
