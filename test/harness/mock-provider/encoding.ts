// Compressed answers in every dialect: a script's `contentEncoding` makes the whole answer (JSON,
// SSE, error bodies) leave compressed with that Content-Encoding, every write flushed so a stream
// still arrives chunk by chunk, as providers that compress their streams send them. The script
// is honoured whatever the client's Accept-Encoding (a server may send any coding to a client
// that names none). `encodingFault` sends what a broken provider would: a body the decoder
// rejects, or a bomb (zeros compressed about 1,000 to 1, up to 1 GiB decoded).

import type { ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createDeflate, createGzip, type Zlib } from 'node:zlib';
import type { MockContentEncoding, MockScript } from './types';

/** Bytes each decoder refuses at once: a valid header, then a reserved block type (gzip, deflate) or window size (br). */
const CORRUPT: Record<MockContentEncoding, Buffer> = {
  gzip: Buffer.from('1f8b0800000000000003ffffffff', 'hex'),
  deflate: Buffer.from('789cffffffff', 'hex'),
  br: Buffer.from('11ffffff', 'hex'),
};

const BOMB_BYTES = 1024 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

function compressor(encoding: MockContentEncoding): Transform & Zlib {
  if (encoding === 'gzip') return createGzip({ level: 1 });
  if (encoding === 'deflate') return createDeflate({ level: 1 });
  return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
}

type WriteHeadArgs = [number, ...unknown[]];

/** Headers as sent: the coding named, the length (of the uncompressed text) dropped. */
function encodedHeaders(args: WriteHeadArgs, encoding: MockContentEncoding): WriteHeadArgs {
  const [status, ...rest] = args;
  const headers = rest.find((a): a is Record<string, unknown> => typeof a === 'object' && a !== null) ?? {};
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
  return [status, { ...kept, 'content-encoding': encoding }];
}

/**
 * From now on, what the handler writes to `res` leaves compressed as the script says. Call it as
 * soon as the script is chosen, before anything is written.
 */
export function encodeAnswer(res: ServerResponse, script: MockScript): void {
  const encoding = script.contentEncoding;
  if (!encoding) return;
  const send = { writeHead: res.writeHead.bind(res), write: res.write.bind(res), end: res.end.bind(res) };
  const fault = script.encodingFault;
  res.writeHead = ((...args: WriteHeadArgs) => {
    send.writeHead(...(encodedHeaders(args, encoding) as Parameters<typeof res.writeHead>));
    if (fault === 'corrupt') send.end(CORRUPT[encoding]);
    if (fault === 'bomb') void pumpBomb(res, encoding, send.write, send.end);
    return res;
  }) as typeof res.writeHead;
  if (fault) {
    // The answer the handler goes on writing is not sent: the fault is the whole body.
    res.write = ((_chunk: unknown, cb?: (err?: Error | null) => void) => {
      cb?.(null);
      return true;
    }) as typeof res.write;
    res.end = (() => res) as typeof res.end;
    return;
  }
  const z = compressor(encoding);
  z.on('data', (bytes: Buffer) => send.write(bytes));
  res.write = ((chunk: string | Buffer, cb?: (err?: Error | null) => void) => {
    z.write(chunk);
    z.flush(() => cb?.(null));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: string | Buffer) => {
    if (chunk !== undefined && chunk.length > 0) z.write(chunk);
    z.once('end', () => send.end());
    z.end();
    return res;
  }) as typeof res.end;
}

/** Compressed zeros until 1 GiB went in or the client stopped reading, honouring backpressure. */
async function pumpBomb(res: ServerResponse, encoding: MockContentEncoding, write: ServerResponse['write'], end: ServerResponse['end']): Promise<void> {
  const z = compressor(encoding);
  z.on('data', (bytes: Buffer) => {
    if (!res.destroyed && !write(bytes)) z.pause();
  });
  res.on('drain', () => z.resume());
  res.once('close', () => z.destroy());
  for (let sent = 0; sent < BOMB_BYTES && !res.destroyed; sent += ZEROS.length) {
    if (!z.write(ZEROS)) await drainedOrClosed(z);
  }
  if (res.destroyed) return;
  z.once('end', () => end());
  z.end();
}

function drainedOrClosed(z: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      z.off('drain', done).off('close', done);
      resolve();
    };
    z.on('drain', done).on('close', done);
  });
}
