/** Each guardrails e2e route is a host: the official SDKs reach it through this fetch. */
import { Readable } from 'node:stream';
import { request } from 'undici';

/** The SDKs' fetch with a Host header (fetch itself may not set one): each route of this test is a host. */
export function hostFetch(host: string) {
  return async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]));
    const res = await request(String(url), {
      method: (init?.method ?? 'GET') as 'POST',
      headers: { ...headers, host },
      body: init?.body as string | undefined,
      signal: init?.signal ?? undefined,
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
    return new Response(Readable.toWeb(res.body) as ReadableStream, { status: res.statusCode, headers: out });
  };
}
