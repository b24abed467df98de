/**
 * The part of Kong's PDK our plugins use, typed the way values really arrive over
 * kong-js-pluginserver (not the way kong-pdk's generated typings claim; mp_rpc.lua's bridge loop
 * and kong-pdk's pdk.js are the sources):
 * - only the first Lua return value crosses the wire, so a `nil, err` result is `undefined`;
 * - header and query maps are multimaps `{name: [values]}` with lower-cased names;
 * - raw bodies are Buffers;
 * - `kong.response.exit` does not wait: always `return kong.response.exit(...)`.
 * camelCase names are turned into Kong's snake_case by the plugin server's proxy.
 */
export type MultiMap = Record<string, string[]>;

export interface KongConsumer {
  id: string;
  username?: string;
  custom_id?: string;
}

export interface KongRequestPdk {
  getHeader(name: string): Promise<string | undefined>;
  getHeaders(max?: number): Promise<MultiMap>;
  /** Raises (HTTP 500) when the body was spooled to disk, unless maxAllowedFileSize is given. */
  getRawBody(maxAllowedFileSize?: number): Promise<Buffer | undefined>;
  getMethod(): Promise<string>;
  getPath(): Promise<string>;
  getPathWithQuery(): Promise<string>;
  /** $args as received (still percent-encoded); '' when there is no query. */
  getRawQuery(): Promise<string>;
  getQuery(max?: number): Promise<MultiMap>;
  getScheme(): Promise<string>;
  getHost(): Promise<string>;
  getPort(): Promise<number>;
}

export interface KongServiceRequestPdk {
  setHeader(name: string, value: string): Promise<void>;
  setHeaders(headers: Record<string, string | string[]>): Promise<void>;
  clearHeader(name: string): Promise<void>;
  setRawBody(body: string | Buffer): Promise<void>;
  setPath(path: string): Promise<void>;
  setMethod(method: string): Promise<void>;
  setScheme(scheme: string): Promise<void>;
}

export interface KongServiceResponsePdk {
  getStatus(): Promise<number | undefined>;
  getHeader(name: string): Promise<string | undefined>;
  getHeaders(max?: number): Promise<MultiMap>;
  getRawBody(): Promise<Buffer | undefined>;
}

export interface KongServicePdk {
  setTarget(host: string, port: number): Promise<void>;
  request: KongServiceRequestPdk;
  response: KongServiceResponsePdk;
}

export interface KongResponsePdk {
  exit(status: number, body?: string | Buffer | object, headers?: Record<string, string | string[]>): Promise<void>;
  setHeader(name: string, value: string): Promise<void>;
  setHeaders(headers: Record<string, string | string[]>): Promise<void>;
  addHeader(name: string, value: string): Promise<void>;
  getStatus(): Promise<number>;
  getHeader(name: string): Promise<string | undefined>;
  getHeaders(max?: number): Promise<MultiMap>;
  getSource(): Promise<'service' | 'error' | 'exit'>;
}

export interface KongClientPdk {
  authenticate(consumer: KongConsumer | null, credential: { id: string; consumer_id?: string } | null): Promise<void>;
  loadConsumer(idOrUsername: string, byUsername?: boolean): Promise<KongConsumer | undefined>;
  getConsumer(): Promise<KongConsumer | undefined>;
  getCredential(): Promise<{ id: string } | undefined>;
  getIp(): Promise<string>;
  getForwardedIp(): Promise<string>;
}

export interface KongLogPdk {
  debug(...args: unknown[]): Promise<void>;
  info(...args: unknown[]): Promise<void>;
  notice(...args: unknown[]): Promise<void>;
  warn(...args: unknown[]): Promise<void>;
  err(...args: unknown[]): Promise<void>;
  crit(...args: unknown[]): Promise<void>;
  /** A JSON string, not an object. */
  serialize(): Promise<string>;
}

export interface Kong {
  request: KongRequestPdk;
  service: KongServicePdk;
  response: KongResponsePdk;
  client: KongClientPdk;
  log: KongLogPdk;
  ctx: { shared: { get(key: string): Promise<unknown>; set(key: string, value: unknown): Promise<void> } };
  nginx: {
    getVar(name: string): Promise<string | undefined>;
    getCtx(key: string): Promise<unknown>;
    setCtx(key: string, value: unknown): Promise<void>;
    reqStartTime(): Promise<number>;
  };
  router: { getRoute(): Promise<{ id: string; name?: string } | undefined>; getService(): Promise<{ id: string; name?: string } | undefined> };
  node: { getId(): Promise<string> };
}
