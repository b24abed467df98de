/**
 * A provider's answer body as the relay reads it: decoded from its Content-Encoding (gzip,
 * deflate, br) as the bytes arrive, so a compressed SSE stream still flows event by event, and
 * bounded: past the relay's response limit (RELAY_MAX_RESPONSE_BYTES, decoded bytes) the read
 * fails, so neither a decompression bomb nor any oversized answer can exhaust memory. node:zlib's
 * decoders honour backpressure, so at most a chunk or two is decoded ahead of the reader.
 */
import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';

/** Every coding the relay decodes, as the providers' official SDKs ask for them. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** Error bodies are only read for their message: the rest is never needed. */
const ERROR_BODY_BYTES = 64 * 1024;

/** More stacked codings than this is not an answer any provider sends. */
const MAX_CODINGS = 2;

/** An answer the relay cannot read: an unknown or corrupt coding, or larger than the limit. A provider fault (502). */
export class UnreadableAnswer extends Error {
  constructor(
    message: string,
    readonly code: 'upstream_invalid_response' | 'upstream_response_too_large',
  ) {
    super(message);
  }
}

/**
 * The decoders for a Content-Encoding header, in the order to apply them (the last coding
 * applied comes off first). gzip and deflate share zlib's auto-detecting decoder, so a body
 * labelled with the other of the two still reads; deflate is the zlib format RFC 9110 defines.
 */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CODINGS) throw new UnreadableAnswer(`the answer has too many content codings (${codings.length})`, 'upstream_invalid_response');
  return codings.reverse().map((coding) => {
    if (coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate') return createUnzip();
    if (coding === 'br') return createBrotliDecompress();
    throw new UnreadableAnswer(`the answer has a content coding the gateway cannot decode (${coding.slice(0, 32)})`, 'upstream_invalid_response');
  });
}

/**
 * The body, decoded chunk by chunk and counted. Fails with UnreadableAnswer on a coding it cannot
 * decode, a corrupt or truncated compressed body, or more than `maxBytes` decoded bytes; with the
 * transport's own error (timeout, reset, abort) otherwise. Stopping early releases the body.
 */
export async function* decodedBody(body: Readable, contentEncoding: string | undefined, maxBytes: number): AsyncGenerator<Buffer> {
  let decoders: Transform[];
  try {
    decoders = decodersFor(contentEncoding);
  } catch (error) {
    body.destroy();
    throw error;
  }
  // pipeline destroys every stage with the first error: a decoder's own is one the body has not already seen.
  let decodeFailure: unknown;
  for (const decoder of decoders) {
    decoder.once('error', (error) => {
      if (decodeFailure === undefined && body.errored !== error) decodeFailure = error;
    });
  }
  if (decoders.length > 0) pipeline([body, ...decoders], () => undefined);
  const source: Readable = decoders.at(-1) ?? body;
  let bytes = 0;
  try {
    for await (const chunk of source) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes)
        throw new UnreadableAnswer(`the answer is larger than the gateway reads (${maxBytes} bytes decoded)`, 'upstream_response_too_large');
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error !== undefined && error === decodeFailure) {
      const coding = (contentEncoding ?? '').slice(0, 64);
      throw new UnreadableAnswer(`the answer could not be decoded (${coding}): ${(error as Error).message}`, 'upstream_invalid_response');
    }
    throw error;
  } finally {
    source.destroy();
    body.destroy();
  }
}

/** A whole answer as text: UnreadableAnswer when it cannot be read, the transport's error when it broke. */
export async function readAnswerText(body: Readable, contentEncoding: string | undefined, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of decodedBody(body, contentEncoding, maxBytes)) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * An error answer's text, for its message: at most ERROR_BODY_BYTES, and whatever could be
 * decoded of a corrupt one (the status still says what failed). Transport errors still throw.
 */
export async function readErrorText(body: Readable, contentEncoding: string | undefined): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of decodedBody(body, contentEncoding, Number.POSITIVE_INFINITY)) {
      parts.push(chunk.subarray(0, ERROR_BODY_BYTES - size));
      size += chunk.length;
      if (size >= ERROR_BODY_BYTES) break;
    }
  } catch (error) {
    if (!(error instanceof UnreadableAnswer)) throw error;
  }
  return Buffer.concat(parts).toString('utf8');
}
