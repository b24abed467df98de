/**
 * Runs a Lua script by EVALSHA and falls back to EVAL on NOSCRIPT (a restarted or failed-over
 * Redis has an empty script cache); EVAL caches it again. Works with ioredis Redis and Cluster.
 */
import { createHash } from 'node:crypto';

/** The subset of an ioredis client (Redis or Cluster) the limits use. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: ScriptClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    await whenReady(client);
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!/NOSCRIPT/i.test(String((e as Error)?.message ?? e))) throw e;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Integer arguments go to Lua as decimal strings: Lua's own number formatting would turn 1e15 into "1e+15". */
export function int(n: number, what: string): string {
  if (!Number.isSafeInteger(n)) throw new Error(`${what} must be a safe integer, got ${n}`);
  return String(n);
}

/** Longest wait for a connection that is still being (re)established. */
const READY_WAIT_MS = 1000;

interface StatusClient {
  status?: string;
  once?(event: string, listener: () => void): unknown;
  off?(event: string, listener: () => void): unknown;
}

/**
 * Our clients run without ioredis' offline queue (a command queued while Redis is away would run
 * when it returns, for a request refused long before), so a command sent while the connection is
 * being established would fail at once: wait for it briefly instead. Clients without a status
 * (test doubles) pass straight through.
 */
export async function whenReady(client: unknown, timeoutMs = READY_WAIT_MS): Promise<void> {
  const c = client as StatusClient;
  if (c.status === undefined || c.status === 'ready' || !c.once || !c.off) return;
  if (c.status === 'end' || c.status === 'close') throw new Error(`redis connection is ${c.status}`);
  await new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      c.off!('ready', onReady);
      reject(new Error(`redis not ready within ${timeoutMs} ms (${c.status})`));
    }, timeoutMs);
    c.once!('ready', onReady);
  });
}
