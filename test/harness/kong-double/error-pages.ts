/**
 * How Kong 3.9.3 words and formats the errors it answers itself. Two renderers, as in Kong:
 * - `errorHandlerPage`: kong/error_handlers.lua, reached through nginx's error_page
 *   (kong/templates/nginx_kong.lua: 400 404 405 408 411 412 413 414 417 494 500 502 503 504 ->
 *   /kong_error_handler): malformed requests, client_max_body_size, upstream 502/504, Lua errors
 *   outside the access iterator. Type from Accept, else Content-Type, else error_default_type;
 *   494 is answered as 400.
 * - `pdkErrorPage`: kong.response.error (kong/pdk/response.lua): plugins, "no Route matched" (404,
 *   kong/runloop/handler.lua), "no Service found" (503) and the 500 of a plugin that raised in
 *   access (kong/init.lua flush_delayed_response). Type from an explicit Content-Type header, else
 *   Accept only.
 * Both format the template of the chosen type (kong/tools/http.lua get_error_template; the custom
 * error_template_<format> when kong.conf sets one) with Lua's string.format(template, message,
 * request id).
 */
import type { HeaderList } from './context';
import type { ErrorFormat, KongSettings } from './kong-conf';

/** kong/tools/http.lua MIME_TYPES */
const MIME_TYPES: Record<string, string> = {
  'application/grpc': '',
  'text/html': 'text/html; charset=utf-8',
  'application/json': 'application/json; charset=utf-8',
  'text/plain': 'text/plain; charset=utf-8',
  'application/xml': 'application/xml; charset=utf-8',
  application: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  default: 'application/json; charset=utf-8',
};

const GRPC = 'application/grpc';

/** kong/tools/http.lua ERROR_TEMPLATES */
const DEFAULT_TEMPLATES: Record<ErrorFormat, string> = {
  html: '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>%s.</p>\n    <p>request_id: %s</p>\n  </body>\n</html>\n',
  json: '{\n  "message":"%s",\n  "request_id":"%s"\n}',
  plain: '%s\nrequest_id: %s\n',
  xml: '<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>%s</message>\n  <requestid>%s</requestid>\n</error>\n',
};

const FORMAT_OF_TYPE: Record<string, ErrorFormat> = {
  'application/json': 'json',
  'text/html': 'html',
  'application/xml': 'xml',
  'text/plain': 'plain',
};

/** kong/error_handlers.lua BODIES (other statuses: "The upstream server responded with <status>") */
const HANDLER_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  411: 'Length required',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  417: 'Expectation failed',
  494: 'Request header or cookie too large',
  500: 'An unexpected error occurred',
  502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable',
  504: 'The upstream server is timing out',
};

/** kong/pdk/response.lua HTTP_ERROR_MESSAGES (the default message of kong.response.error) */
const PDK_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  402: 'Payment required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  407: 'Proxy authentication required',
  408: 'Request timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length required',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  417: 'Expectation failed',
  418: "I'm a teapot",
  421: 'Misdirected request',
  422: 'Unprocessable entity',
  423: 'Locked',
  424: 'Failed dependency',
  425: 'Too early',
  426: 'Upgrade required',
  428: 'Precondition required',
  429: 'Too many requests',
  431: 'Request header fields too large',
  451: 'Unavailable for legal reasons',
  494: 'Request header or cookie too large',
  500: 'An unexpected error occurred',
  501: 'Not implemented',
  502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable',
  504: 'The upstream server is timing out',
  505: 'HTTP version not supported',
  506: 'Variant also negotiates',
  507: 'Insufficient storage',
  508: 'Loop detected',
  510: 'Not extended',
  511: 'Network authentication required',
};

const fallbackMessage = (status: number): string => `The upstream server responded with ${status}`;

export function handlerMessage(status: number): string {
  return HANDLER_MESSAGES[status] ?? fallbackMessage(status);
}

export function pdkMessage(status: number): string {
  return PDK_MESSAGES[status] ?? fallbackMessage(status);
}

/** kong/tools/http.lua get_mime_type(content_header, use_default = true) */
export function mimeType(contentHeader: string): string {
  const type = contentHeader.trim().split(';')[0]!;
  const entries = type.split('/');
  let mime: string | undefined;
  if (entries.length > 1) {
    if (entries[1] === '*') mime = entries[0] === '*' ? MIME_TYPES.default : MIME_TYPES[entries[0]!];
    else mime = MIME_TYPES[type];
  }
  return mime ?? MIME_TYPES.default!;
}

// kong/tools/http.lua get_response_type: the pattern (ngx.re "ajoxi": anchored, case-insensitive),
// split in two so that q keeps the value of the last q parameter as PCRE's capture does.
const MEDIA_RANGE = /^((?:[a-z0-9][a-z0-9\-!#$&^_+.]+|\*)\/(?:[a-z0-9][a-z0-9\-!#$&^_+.]+|\*))/i;
const PARAMETER = /\s*;\s*(?:q=(1(?:\.0{0,3})?|0(?:\.\d{0,3})?)|[a-z0-9][a-z0-9\-!#$&^_+.]+(?:=[^;]*)?)/iy;

/** kong/tools/http.lua get_response_type: the media range with the highest q, first one on ties. */
export function responseType(accept: string | undefined): string {
  let contentType = MIME_TYPES.default!;
  if (accept === undefined) return contentType;
  let maxQuality = 0;
  for (const raw of accept.split(',')) {
    const value = raw.trim();
    const m = MEDIA_RANGE.exec(value);
    if (!m) continue;
    let q = 1;
    PARAMETER.lastIndex = m[0].length;
    for (let p = PARAMETER.exec(value); p; p = PARAMETER.exec(value)) if (p[1] !== undefined) q = Number(p[1]);
    if (q > maxQuality) {
      maxQuality = q;
      contentType = mimeType(m[1]!);
    }
  }
  return contentType;
}

/** Lua string.format(template, message, requestId) for a template that checkErrorTemplate accepted. */
export function luaFormat(template: string, args: string[]): string {
  let i = 0;
  return template.replace(/%([s%])/g, (_, c: string) => (c === '%' ? '%' : (args[i++] ?? '')));
}

export interface ErrorPage {
  status: number;
  contentType: string;
  body: string;
}

export class ErrorPages {
  constructor(private readonly settings: Pick<KongSettings, 'errorDefaultType' | 'errorTemplates'>) {}

  /** kong/tools/http.lua get_error_template; undefined for a type without a template. */
  private template(mime: string): string | undefined {
    if (mime === GRPC || mime === MIME_TYPES[GRPC]) return '';
    for (const [type, format] of Object.entries(FORMAT_OF_TYPE)) {
      if (mime === type || mime === MIME_TYPES[type]) return this.settings.errorTemplates[format] ?? DEFAULT_TEMPLATES[format];
    }
    return undefined;
  }

  /** kong/error_handlers.lua; `request` is null when nginx could not parse the request's headers. */
  errorHandlerPage(status: number, request: HeaderList | null, requestId: string): ErrorPage {
    // kong.request.get_header: the first value
    const negotiated = request?.first('accept') ?? request?.first('content-type') ?? this.settings.errorDefaultType;
    const message = handlerMessage(status);
    const sent = status === 494 ? 400 : status; // nginx's internal 494 goes out as 400
    if (negotiated.startsWith(GRPC)) {
      // { message = message } through kong.response.exit: cjson, application/json
      return { status: sent, contentType: MIME_TYPES.default!, body: JSON.stringify({ message }) };
    }
    const mime = responseType(negotiated);
    return { status: sent, contentType: mime, body: luaFormat(this.template(mime)!, [message, requestId]) };
  }

  /**
   * kong.response.error(status, message, headers): `explicitType` is the "Content-Type" the caller
   * passed. Otherwise gRPC requests get no body, others the type of every Accept value joined with
   * "," (ngx.req.get_headers()). Throws where Kong's string.format would (a type without template).
   */
  pdkErrorPage(status: number, message: string | undefined, explicitType: string | undefined, request: HeaderList, requestId: string): ErrorPage {
    const grpcRequest = request.first('content-type')?.startsWith(GRPC) ?? false;
    const accept = request.has('accept') ? request.all('accept').join(',') : undefined;
    const contentType = explicitType ?? (grpcRequest ? GRPC : responseType(accept));
    if (contentType === GRPC) return { status, contentType, body: '' };
    const template = this.template(contentType);
    if (template === undefined) throw new Error("bad argument #1 to 'format' (string expected, got nil)");
    return { status, contentType, body: luaFormat(template, [message ?? pdkMessage(status), requestId]) };
  }
}
