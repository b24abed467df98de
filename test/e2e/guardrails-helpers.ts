/** What the guardrails e2e files share: each route is a host the SDKs reach through hostFetch; refusals are SDK errors. */
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

/** The SDK error a refused call throws: its status, the error body, the message. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; error: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; error: unknown; message: string };
    return { status: e.status, error: e.error, message: e.message };
  }
  throw new Error('expected a refusal');
}
