/**
 * Kong's side of the MessagePack-RPC protocol (kong/runloop/plugin_servers/rpc/mp_rpc.lua, Rpc:call):
 * - one client per plugin with its own msgid counter (3.9: one Rpc object per plugin);
 * - a keep-alive pool of unix-socket connections, strictly one outstanding request per connection;
 * - request `[0, msgid, method, [args...]]`; response must be `[1, msgid, err, result]`
 *   (Kong asserts both; a mismatch is a protocol error here, never silently accepted);
 * - notifications `[2, label, args]` are skipped (kong-js-pluginserver never sends any);
 * - framing: concatenated msgpack objects, read with a streaming decoder, so partial chunks and
 *   large messages are fine on this side;
 * - read timeout 60 s by default (lua_socket_read_timeout); a timeout is an RPC error.
 */
import { createConnection, type Socket } from 'node:net';
import { decodeMultiStream, encode } from '@msgpack/msgpack';

export class RpcError extends Error {}

interface Conn {
  socket: Socket;
  reader: AsyncGenerator<unknown, void, unknown>;
  dead: boolean;
}

export class RpcClient {
  private msgId = 0;
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  private closed = false;

  constructor(
    readonly socketPath: string,
    private readonly readTimeoutMs = 60_000,
  ) {}

  private connect(): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.socketPath);
      const onError = (e: Error): void => reject(new RpcError(`trying to connect: ${e.message}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const conn: Conn = { socket, reader: decodeMultiStream(socket), dead: false };
        socket.on('error', () => {
          conn.dead = true;
        });
        socket.on('close', () => {
          conn.dead = true;
          this.all.delete(conn);
          const i = this.idle.indexOf(conn);
          if (i >= 0) this.idle.splice(i, 1);
        });
        this.all.add(conn);
        resolve(conn);
      });
    });
  }

  private async acquire(): Promise<Conn> {
    while (this.idle.length) {
      const c = this.idle.pop()!;
      if (!c.dead) return c;
    }
    return this.connect();
  }

  private release(c: Conn): void {
    if (c.dead || this.closed) c.socket.destroy();
    else this.idle.push(c);
  }

  /** Calls `method` with positional args; resolves with the result, rejects with RpcError on err. */
  async call(method: string, ...args: unknown[]): Promise<unknown> {
    if (this.closed) throw new RpcError('rpc client closed');
    this.msgId += 1;
    const id = this.msgId;
    const conn = await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    let reply: unknown[];
    try {
      conn.socket.write(encode([0, id, method, args], { ignoreUndefined: true }));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RpcError('timeout')), this.readTimeoutMs);
      });
      for (;;) {
        const next = await Promise.race([conn.reader.next(), timeout]);
        if (next.done) throw new RpcError('no data');
        const msg = next.value;
        if (!Array.isArray(msg)) throw new RpcError(`protocol error: expected an array, got ${typeof msg}`);
        if (msg[0] === 2) continue; // notification
        if (msg[0] !== 1) throw new RpcError('RPC response expected from Go plugin server');
        if (msg[1] !== id) throw new RpcError('unexpected RPC response ID from Go plugin server');
        this.release(conn);
        reply = msg;
        break;
      }
    } catch (e) {
      // A connection in an unknown state must not go back to the pool.
      conn.dead = true;
      conn.socket.destroy();
      throw e instanceof RpcError ? e : new RpcError((e as Error).message);
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (reply[2] !== null && reply[2] !== undefined) throw new RpcError(String(reply[2]));
    return reply[3];
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
