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
