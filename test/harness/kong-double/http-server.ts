/**
 * The Node HTTP server configured to answer at the connection level as nginx 1.25.3 + Kong 3.9.3
 * do, where Node would otherwise answer by itself (empty 400/417/431 bodies, dropped CONNECTs):
 * - requests Node cannot parse ('clientError'): nginx finalizes them with 400, 414 or 494, which
 *   error_page sends to Kong's error handler (kong/templates/nginx_kong.lua); its headers were
 *   not parsed, so the type is error_default_type. An unknown Transfer-Encoding is 501, which is
 *   not in Kong's error_page list: nginx's own page (Kong's build drops its tail: build/openresty/
 *   patches/nginx-1.25.3_02-remove-server-tokens-from-special-responses-output.patch). A client
 *   that times out sending its headers gets no answer (ngx_http_request.c: client_header_timeout
 *   closes the connection). Always Connection: close.
 * - CONNECT: refused by nginx with 405 (ngx_http_process_request_header).
 * - `Expect: 100-continue`: nginx sends "100 Continue" itself when it starts reading the body
 *   (ngx_http_request_body.c ngx_http_test_expect), and only for exactly "100-continue"; other
 *   expectations are ignored (Node would answer 417). The double sends it from readBody/streaming
 *   (server.ts); the proxy never forwards Expect (proxy.ts).
 * - Node's header limits are widened to nginx's (4 x 8k) so that request-checks.ts decides,
 *   Host is checked there too (Node would answer an empty 400).
 * The log phase does not run for requests answered here (Kong would run the global log plugins).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HeaderList } from './context';
import type { ErrorPage, ErrorPages } from './error-pages';
import { newRequestId } from './ids';
import type { IngressLogger } from './log';
import { SERVER_TOKENS } from './proxy';
import { LARGE_HEADER_BUFFER, LARGE_HEADER_BUFFERS, nginxRejection } from './request-checks';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** nginx's ngx_http_error_501_page with Kong's tail. */
const NGINX_501_PAGE =
  '<html>\r\n<head><title>501 Not Implemented</title></head>\r\n<body>\r\n<center><h1>501 Not Implemented</h1></center>\r\n</body>\r\n</html>\r\n';

/** nginx's lingering_timeout: how long a closing connection keeps reading what the client still sends. */
const LINGERING_TIMEOUT_MS = 5000;

export function createKongHttpServer(handler: Handler, pages: ErrorPages, logger: IngressLogger): Server {
  const inFlight = new WeakMap<Socket, ServerResponse>();
  const tracked: Handler = (req, res) => {
    inFlight.set(req.socket, res);
    handler(req, res);
  };
  const server = createServer(
    {
      keepAliveTimeout: 60_000, // Kong's keepalive_timeout
      maxHeaderSize: LARGE_HEADER_BUFFER * LARGE_HEADER_BUFFERS,
      requireHostHeader: false,
    },
    tracked,
  );
  server.maxHeadersCount = 0; // nginx has no count limit (Node drops headers past 2000)
  // Registering these stops Node from answering 100 Continue / 417 by itself.
  server.on('checkContinue', tracked);
  server.on('checkExpectation', tracked);
  const answered = new WeakSet<Socket>();

  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    const res = inFlight.get(socket);
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !err.code?.startsWith('HPE_') || !socket.writable || res?.headersSent) {
      socket.destroy();
      return;
    }
    logger.log('info', 'ingress', `client sent an invalid request: ${err.code} ${err.message}`);
    const id = newRequestId();
    if (err.code === 'HPE_INVALID_TRANSFER_ENCODING') {
      answerRaw(socket, { status: 501, contentType: 'text/html', body: NGINX_501_PAGE }, id);
    } else {
      answerRaw(socket, pages.errorHandlerPage(overflowStatus(err) ?? 400, null, id), id);
    }
  });

  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const id = newRequestId();
    const status = nginxRejection(req, 0) ?? 405;
    answerRaw(socket, pages.errorHandlerPage(status, HeaderList.fromRaw(req.rawHeaders), id), id);
  });
  return server;
}

/**
 * Headers over Node's limit: a request line longer than a large header buffer is "URI too long"
 * (414), else a header is too large (494). Node hands over only the chunk it was parsing, so a
 * chunk that does not start with a request line counts as headers.
 */
function overflowStatus(err: Error & { code?: string; rawPacket?: Buffer }): number | null {
  if (err.code !== 'HPE_HEADER_OVERFLOW') return null;
  const chunk = err.rawPacket?.toString('latin1') ?? '';
  const firstLine = chunk.split('\n')[0]!;
  return /^[A-Z]+ /.test(chunk) && firstLine.length + 1 > LARGE_HEADER_BUFFER ? 414 : 494;
}

/** Writes a whole response on a connection Node no longer parses, then closes it as nginx does. */
function answerRaw(socket: Socket, page: ErrorPage, requestId: string): void {
  const body = Buffer.from(page.body);
  const head = [
    `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}`,
    `Date: ${new Date().toUTCString()}`,
    `Content-Type: ${page.contentType}`,
    `Content-Length: ${body.length}`,
    'Connection: close',
    // Kong.header_filter for a response Kong did not proxy (kong/runloop/handler.lua)
    'X-Kong-Response-Latency: 0',
    `Server: ${SERVER_TOKENS}`,
    `X-Kong-Request-Id: ${requestId}`,
  ];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  socket.resume(); // keep reading what the client still sends, so it gets the answer (lingering close)
  socket.setTimeout(LINGERING_TIMEOUT_MS, () => socket.destroy());
}
