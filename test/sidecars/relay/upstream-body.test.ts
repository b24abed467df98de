/**
 * Reading a provider's body: decoded from gzip, deflate and Brotli as the bytes arrive, bounded
 * in decoded bytes, a corrupt or truncated body told apart from a broken connection.
 */
import { PassThrough, Readable, type Transform } from 'node:stream';
import { brotliCompressSync, createBrotliCompress, createDeflate, createGzip, deflateSync, gzipSync, type Zlib } from 'node:zlib';
import { decodedBody, readAnswerText, readErrorText, UnreadableAnswer } from '../../../sidecars/relay/upstream-body';

const TEXT = 'data: {"content":"héllo ✓"}\n\n'.repeat(50);
const ENCODE: Record<string, (text: string) => Buffer> = {
  gzip: (t) => gzipSync(t),
  deflate: (t) => deflateSync(t),
  br: (t) => brotliCompressSync(t),
};

const COMPRESSOR: Record<string, () => Transform & Zlib> = { gzip: createGzip, deflate: createDeflate, br: createBrotliCompress };

const bodyOf = (...chunks: Buffer[]) => Readable.from(chunks);

async function failure(read: Promise<unknown>): Promise<unknown> {
  return read.then(
    () => {
      throw new Error('expected the read to fail');
    },
    (error: unknown) => error,
  );
}

describe('decoding', () => {
  it.each(Object.keys(ENCODE))('reads a %s body, whatever its chunking', async (coding) => {
    const bytes = ENCODE[coding](TEXT);
    expect(await readAnswerText(bodyOf(bytes), coding, 1 << 20)).toBe(TEXT);
    const oneByOne = Array.from(bytes, (b) => Buffer.from([b]));
    expect(await readAnswerText(bodyOf(...oneByOne), coding.toUpperCase(), 1 << 20)).toBe(TEXT);
  });

  it('reads identity (or no coding) as it is, and codings stacked in the order applied', async () => {
    expect(await readAnswerText(bodyOf(Buffer.from(TEXT)), undefined, 1 << 20)).toBe(TEXT);
    expect(await readAnswerText(bodyOf(Buffer.from(TEXT)), 'identity', 1 << 20)).toBe(TEXT);
    expect(await readAnswerText(bodyOf(brotliCompressSync(gzipSync(TEXT))), 'gzip, br', 1 << 20)).toBe(TEXT);
  });

  it.each(Object.keys(ENCODE))('gives out a flushed %s piece before the rest arrives', async (coding) => {
    const compress = COMPRESSOR[coding]();
    const body = new PassThrough();
    compress.pipe(body);
    compress.write('data: first\n\n');
    compress.flush(() => undefined);
    // Nothing more is sent until the first event has come out.
    const reader = decodedBody(body, coding, 1 << 20)[Symbol.asyncIterator]();
    expect((await reader.next()).value?.toString()).toBe('data: first\n\n');
    compress.end('data: later\n\n'.repeat(3));
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += next.value.toString();
    expect(rest).toBe('data: later\n\n'.repeat(3));
  });
});

describe('what cannot be read', () => {
  it.each(Object.keys(ENCODE))('a corrupt or truncated %s body is UnreadableAnswer (invalid), never a crash', async (coding) => {
    const bytes = ENCODE[coding](TEXT);
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, 2, Math.min(corrupt.length, 40));
    for (const body of [corrupt, bytes.subarray(0, bytes.length - 8)]) {
      const error = await failure(readAnswerText(bodyOf(body), coding, 1 << 20));
      expect(error).toBeInstanceOf(UnreadableAnswer);
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
      expect((error as Error).message).toContain(`could not be decoded (${coding})`);
    }
  });

  it('a coding it does not know, or a pile of them, is UnreadableAnswer (invalid)', async () => {
    for (const coding of ['zstd', 'gzip, gzip, gzip']) {
      const body = bodyOf(Buffer.from(TEXT));
      expect(await failure(readAnswerText(body, coding, 1 << 20))).toMatchObject({ code: 'upstream_invalid_response' });
      expect(body.destroyed).toBe(true);
    }
  });

  it('a bomb stops at the limit: no more is decoded than the limit and a chunk, and the body is let go', async () => {
    // 1 GiB of zeros in about 1 MB: gzip members concatenated decode as one body.
    const member = gzipSync(Buffer.alloc(1 << 20));
    let sent = 0;
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 1024; i++) {
          sent++;
          yield member;
        }
      })(),
    );
    let decoded = 0;
    const error = await failure(
      (async () => {
        for await (const chunk of decodedBody(body, 'gzip', 4 << 20)) decoded += chunk.length;
      })(),
    );
    expect(error).toMatchObject({ code: 'upstream_response_too_large' });
    expect(decoded).toBeLessThanOrEqual(4 << 20);
    expect(sent).toBeLessThan(64);
    expect(body.destroyed).toBe(true);
  });

  it('an uncompressed answer past the limit is refused too', async () => {
    const error = await failure(readAnswerText(bodyOf(Buffer.alloc(2048, 'a')), undefined, 1024));
    expect(error).toMatchObject({ code: 'upstream_response_too_large' });
  });

  it('a connection that breaks mid-body keeps its own error (a transport failure, not a corrupt answer)', async () => {
    const body = new PassThrough();
    const broken = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    body.write(gzipSync(TEXT).subarray(0, 20));
    setImmediate(() => body.destroy(broken));
    expect(await failure(readAnswerText(body, 'gzip', 1 << 20))).toBe(broken);
  });
});

describe('error bodies', () => {
  it('are read decoded, at most 64 KiB, and a corrupt one reads as what could be decoded', async () => {
    expect(await readErrorText(bodyOf(ENCODE.br('{"error":"x"}')), 'br')).toBe('{"error":"x"}');
    const bomb = await readErrorText(bodyOf(gzipSync(Buffer.alloc(50 << 20, 'x'))), 'gzip');
    expect(bomb.length).toBe(64 * 1024);
    expect(await readErrorText(bodyOf(Buffer.from('not gzip')), 'gzip')).toBe('');
  });
});
