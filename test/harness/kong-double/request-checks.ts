/**
 * What nginx (1.25.3, Kong 3.9.3's OpenResty) refuses before any Kong phase runs, on a request
 * Node's parser accepted. nginx answers these through error_page -> Kong's error handler with
 * keep-alive off (ngx_http_special_response.c), and Kong.log then runs the global log plugins.
 * - request line or one header line longer than a large_client_header_buffers buffer (Kong keeps
 *   nginx's 4 8k): 414, 494 (ngx_http_request.c ngx_http_alloc_large_header_buffer);
 * - HTTP/1.1 without Host, a second Host, Transfer-Encoding in HTTP/1.0, CONNECT, TRACE:
 *   400/400/400/405/405
 *   (ngx_http_request.c ngx_http_process_request_header, ngx_http_process_unique_header_line);
 * - Content-Length above client_max_body_size: 413 before the body is read
 *   (ngx_http_core_module.c ngx_http_core_find_config_phase).
 * Node's own limits are set wide enough for these to be reached (index.ts).
 */
import type { IncomingMessage } from 'node:http';

/** nginx's large_client_header_buffers default: 4 buffers of 8k. */
export const LARGE_HEADER_BUFFER = 8192;
export const LARGE_HEADER_BUFFERS = 4;

export function nginxRejection(req: IncomingMessage, clientMaxBodySize: number): number | null {
  const lineTooLong = (line: string): boolean => Buffer.byteLength(line) + 2 > LARGE_HEADER_BUFFER; // + CRLF
  if (lineTooLong(`${req.method} ${req.url} HTTP/${req.httpVersion}`)) return 414;
  let hosts = 0;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (lineTooLong(`${name}: ${req.rawHeaders[i + 1]!}`)) return 494;
    if (name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return 400;
  if (hosts === 0 && req.httpVersion !== '1.0') return 400;
  if (req.headers['transfer-encoding'] !== undefined && req.httpVersion === '1.0') return 400;
  if (req.method === 'CONNECT' || req.method === 'TRACE') return 405;
  const length = Number(req.headers['content-length'] ?? 0);
  if (clientMaxBodySize > 0 && length > clientMaxBodySize) return 413;
  return null;
}
