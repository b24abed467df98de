/**
 * The mock provider of a remote stack, driven through its control API (/__mock/requests,
 * /__mock/reset, /__mock/enqueue) behind the same MockProviders interface as the in-process
 * mock. That interface is synchronous (`mock.requests.length`, `mock.reset()` in a beforeEach),
 * so each call blocks until its HTTP request is answered: a worker thread does the request and
 * wakes this thread through Atomics; the tests stay as they are.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MockProviders, MockScript, RecordedRequest } from '../mock-provider';
import { mockBaseUrls } from './e2e-deck';

interface Reply {
  status?: number;
  text?: string;
  error?: string;
}

/** Runs in the worker: one fetch per message, the reply posted on the message's port, then a wake-up. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ port, done, method, url, body }) => {
  let reply;
  try {
    const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
    reply = { status: res.status, text: await res.text() };
  } catch (error) {
    reply = { error: String(error && error.cause ? error.cause : error) };
  }
  port.postMessage(reply);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
`;

const CALL_TIMEOUT_MS = 30_000;

class BlockingHttp {
  private worker: Worker | null = null;

  call(method: string, url: string, body?: string): string {
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true });
      // Never what keeps a test process alive.
      this.worker.unref();
    }
    const done = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    try {
      this.worker.postMessage({ port: port2, done, method, url, body }, [port2]);
      if (Atomics.wait(done, 0, 0, CALL_TIMEOUT_MS) === 'timed-out') throw new Error(`${method} ${url}: no answer in ${CALL_TIMEOUT_MS} ms`);
      const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
      if (!reply || reply.error !== undefined) throw new Error(`${method} ${url}: ${reply?.error ?? 'no reply'}`);
      if (reply.status !== 200) throw new Error(`${method} ${url}: ${reply.status} ${reply.text?.slice(0, 200)}`);
      return reply.text ?? '';
    } finally {
      // Closes the channel, the worker's end too.
      port1.close();
    }
  }
}

/** `url` is where this process reaches the mock's port (the stack publishes it on loopback). */
export function remoteMock(url: string): MockProviders {
  const http = new BlockingHttp();
  const control = (method: string, path: string, body?: unknown): string =>
    http.call(method, `${url}/__mock/${path}`, body === undefined ? undefined : JSON.stringify(body));
  const baseUrls = mockBaseUrls(url);
  return {
    url,
    baseUrl: baseUrls.openai,
    baseUrls,
    get requests(): RecordedRequest[] {
      return JSON.parse(control('GET', 'requests')) as RecordedRequest[];
    },
    enqueue: (...scripts: MockScript[]) => void control('POST', 'enqueue', scripts),
    reset: () => void control('POST', 'reset'),
    // The stack's mock is not this process's to stop.
    close: async () => undefined,
  };
}
