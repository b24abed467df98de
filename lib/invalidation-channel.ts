/**
 * The key-cache invalidation channel (Redis pub/sub) as every process sees it: one subscriber
 * connection per Redis URL, fanned out to every listener, and told whether messages can arrive.
 * A stalled Redis leaves the connection open while nothing flows, so a heartbeat (PING on the
 * subscriber connection) declares the channel down when Redis stops answering: caches then trust
 * their entries for their short "down" time only, and start over when the channel returns.
 */
import Redis from 'ioredis';
import { INVALIDATE_CHANNEL } from './shared-key-cache';

export interface InvalidationListener {
  onMessage(message: Record<string, unknown>): void;
  /** Told whether messages can currently arrive, so caches can shorten their trust. */
  onState(subscribed: boolean): void;
}

/** How often the subscriber connection is pinged, and how long a PONG may take. */
export const HEARTBEAT_INTERVAL_MS = 250;
export const HEARTBEAT_TIMEOUT_MS = 500;

interface Channel {
  client: Redis;
  listeners: Set<InvalidationListener>;
  heartbeat: NodeJS.Timeout;
}

const channels = new Map<string, Channel>();

/** One subscriber connection per Redis URL and process, fanned out to every listener. */
export function subscribeInvalidations(url: string, listener: InvalidationListener): () => void {
  let channel = channels.get(url);
  if (!channel) {
    channel = openChannel(url);
    channels.set(url, channel);
  }
  channel.listeners.add(listener);
  const current = channel;
  return () => current.listeners.delete(listener);
}

function openChannel(url: string): Channel {
  const client = new Redis(url, { connectTimeout: 1000, retryStrategy: (times) => Math.min(times * 200, 2000) });
  const listeners = new Set<InvalidationListener>();
  let subscribed = false;
  const setState = (next: boolean): void => {
    if (next === subscribed) return;
    subscribed = next;
    listeners.forEach((l) => l.onState(next));
  };
  client.on('error', () => undefined);
  client.on('ready', () => {
    client.subscribe(INVALIDATE_CHANNEL).then(
      () => setState(true),
      () => setState(false),
    );
  });
  client.on('close', () => setState(false));
  client.on('message', (_channel: string, text: string) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      message = { type: 'all' };
    }
    listeners.forEach((l) => l.onMessage(message));
  });

  // A PONG proves the channel alive; silence past the timeout marks it down until one arrives.
  let waitingSince: number | null = null;
  const heartbeat = setInterval(() => {
    if (client.status !== 'ready') return;
    if (waitingSince !== null) {
      if (Date.now() - waitingSince > HEARTBEAT_TIMEOUT_MS) setState(false);
      return;
    }
    waitingSince = Date.now();
    client.ping().then(
      () => {
        waitingSince = null;
        // Back after silence: messages may have been missed, listeners start over.
        if (client.status === 'ready') setState(true);
      },
      () => {
        waitingSince = null;
        setState(false);
      },
    );
  }, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  return { client, listeners, heartbeat };
}

/** For tests and clean shutdowns. */
export function closeInvalidationChannels(): void {
  for (const { client, heartbeat } of channels.values()) {
    clearInterval(heartbeat);
    client.disconnect();
  }
  channels.clear();
}
