/**
 * Follows the cache's event stream (store.ts writes it) on a dedicated connection, so every node's
 * index learns of puts, removals and purges made anywhere. The consumer never throws: a failure,
 * a stall (no reply within the block time plus a second), a reconnect (a restarted Redis starts
 * a new stream) or a gap (entries trimmed before they were read) resets it: the listener drops
 * what it holds and reloads lazily, and the consumer starts again from the stream's end.
 */
import Redis from 'ioredis';
import { whenReady } from '../limits/script';
import type { Logger } from '../log';
import { globalKeys } from './keys';

export type CacheEvent = { type: 'put' | 'del'; scopeId: string; ids: string[] } | { type: 'purge'; teamId?: string; model?: string; all?: boolean };

export interface CacheEventListener {
  /** Applied before the next read; a rejection resets the consumer. */
  onEvents(events: CacheEvent[]): Promise<void>;
  /** Whatever was learnt before may be stale: drop it. */
  onReset(): void;
}

export interface CacheEventConsumerOptions {
  /** XREAD BLOCK time. Default 1000 ms. */
  blockMs?: number;
  /** Most events per read. Default 500. */
  batch?: number;
  /** Pause after a failure before starting over. Default 200 ms. */
  retryDelayMs?: number;
  log?: Logger;
}

/** Stream ids compare as (ms, seq) pairs. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export function parseEvent(fields: string[]): CacheEvent | null {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
  const type = f.get('t');
  if ((type === 'put' || type === 'del') && f.has('s')) return { type, scopeId: f.get('s')!, ids: (f.get('ids') ?? '').split(',').filter(Boolean) };
  if (type === 'purge') {
    if (f.has('team')) return { type, teamId: f.get('team')! };
    if (f.has('model')) return { type, model: f.get('model')! };
    return { type, all: true };
  }
  return null;
}

export class CacheEventConsumer {
  private readonly client: Redis;
  private readonly blockMs: number;
  private readonly batch: number;
  private readonly retryDelayMs: number;
  /** The last event applied; null until the stream's end is known (again). */
  private lastId: string | null = null;
  private lastReplyAt = 0;
  private closed = false;
  private running: Promise<void> | null = null;

  constructor(
    url: string,
    private readonly listener: CacheEventListener,
    private readonly opts: CacheEventConsumerOptions = {},
  ) {
    this.blockMs = opts.blockMs ?? 1000;
    this.batch = opts.batch ?? 500;
    this.retryDelayMs = opts.retryDelayMs ?? 200;
    this.client = new Redis(url, {
      // a blocked read answers within blockMs: longer means Redis stalled
      commandTimeout: this.blockMs + 1000,
      connectTimeout: 1000,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.client.on('error', () => undefined);
    // a new connection may reach a restarted Redis, whose stream ids start over
    this.client.on('close', () => this.reset());
  }

  /** True when every event up to a read that ended less than blockMs + 1 s ago has been applied. */
  get synced(): boolean {
    return this.lastId !== null && Date.now() - this.lastReplyAt < this.blockMs + 1000;
  }

  start(): void {
    this.running ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client.disconnect();
    await this.running;
  }

  private reset(): void {
    if (this.lastId === null) return;
    this.lastId = null;
    this.listener.onReset();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await whenReady(this.client);
        if (this.lastId === null) {
          const last = await this.client.xrevrange(globalKeys.events, '+', '-', 'COUNT', 1);
          this.lastReplyAt = Date.now();
          this.listener.onReset();
          this.lastId = last[0]?.[0] ?? '0-0';
        }
        if (await this.missedEvents(this.lastId)) {
          this.opts.log?.warn('cache event stream: events were trimmed before they were read; indexes reload');
          this.reset();
          continue;
        }
        const from = this.lastId;
        const reply = (await this.client.xread('COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', globalKeys.events, from)) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        if (this.lastId !== from) continue; // reset while reading
        this.lastReplyAt = Date.now();
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        const events = entries.map(([, fields]) => parseEvent(fields)).filter((e): e is CacheEvent => e !== null);
        await this.listener.onEvents(events);
        if (this.lastId === from) this.lastId = entries[entries.length - 1][0];
      } catch (e) {
        if (this.closed) return;
        // once per outage, not once per retry
        if (this.lastId !== null) this.opts.log?.warn('cache event stream failed; indexes reload', { error: (e as Error)?.message });
        this.reset();
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs).unref());
      }
    }
  }

  /** Whether entries after `lastId` may have been trimmed unread (or the stream started over). */
  private async missedEvents(lastId: string): Promise<boolean> {
    if (lastId === '0-0') return false;
    const first = await this.client.xrange(globalKeys.events, '-', '+', 'COUNT', 1);
    return first.length === 0 || compareIds(first[0][0], lastId) > 0;
  }
}
