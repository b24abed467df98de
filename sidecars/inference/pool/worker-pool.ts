/**
 * Model work off the gRPC event loop: a fixed set of worker threads and one bounded FIFO queue.
 * A full queue refuses at once; a job whose deadline passed by the time a worker is free is
 * dropped, not computed; a cancelled job leaves the queue.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../../lib/log';
import type { FromWorker, Job, JobOutcome, ModelStatus, ToWorker, WorkerInit } from './messages';
import { workerEntry } from './worker-entry';

export interface PoolHooks {
  queueDepth(depth: number): void;
  deadlineDropped(job: Job): void;
  workers(count: number): void;
  busy(count: number): void;
}

export interface PoolOptions {
  size: number;
  queueMax: number;
  init: WorkerInit;
  log: Logger;
  hooks: PoolHooks;
}

export interface Submission {
  outcome: Promise<JobOutcome>;
  /** The caller went away: a queued job leaves the queue; a running one finishes unheard. */
  cancel(): void;
}

interface Pending {
  id: number;
  job: Job;
  /** Epoch ms; Infinity without a deadline. */
  deadline: number;
  settle(outcome: JobOutcome): void;
}

interface PoolWorker {
  thread: Worker;
  running: Pending | null;
}

export class WorkerPool {
  private readonly idle: PoolWorker[] = [];
  private readonly all = new Set<PoolWorker>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closing = false;

  constructor(private readonly options: PoolOptions) {}

  /** Starts every worker; resolves with the models' statuses once all have loaded (a model is ok only if every worker loaded it). */
  async start(): Promise<ModelStatus[]> {
    const reports = await Promise.all(Array.from({ length: this.options.size }, () => this.spawn()));
    const byId = new Map<string, ModelStatus>();
    for (const statuses of reports) {
      for (const s of statuses) {
        const seen = byId.get(s.id);
        // A failure anywhere wins; the slowest load is the one that delayed readiness.
        byId.set(s.id, seen ? { ...(seen.ok ? s : seen), loadSeconds: Math.max(s.loadSeconds, seen.loadSeconds) } : s);
      }
    }
    return [...byId.values()];
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /** null = the queue is full (or the pool is closing): the caller answers RESOURCE_EXHAUSTED now. */
  submit(job: Job, deadline: number): Submission | null {
    if (this.closing) return null;
    if (this.idle.length === 0 && this.queue.length >= this.options.queueMax) return null;
    let settle!: (outcome: JobOutcome) => void;
    const outcome = new Promise<JobOutcome>((resolve) => {
      settle = resolve;
    });
    const pending: Pending = { id: this.nextId++, job, deadline, settle };
    this.queue.push(pending);
    this.pump();
    this.options.hooks.queueDepth(this.queue.length);
    return {
      outcome,
      cancel: () => {
        const at = this.queue.indexOf(pending);
        if (at < 0) return;
        this.queue.splice(at, 1);
        this.options.hooks.queueDepth(this.queue.length);
        pending.settle({ ok: false, code: 'CANCELLED', message: 'the call was cancelled while queued' });
      },
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const pending of this.queue.splice(0)) pending.settle({ ok: false, code: 'UNAVAILABLE', message: 'the inference sidecar is shutting down' });
    this.options.hooks.queueDepth(0);
    await Promise.all([...this.all].map((w) => w.thread.terminate()));
  }

  /** Hands queued jobs to idle workers, dropping those whose deadline has passed. */
  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const pending = this.queue.shift()!;
      if (Date.now() >= pending.deadline) {
        this.options.hooks.deadlineDropped(pending.job);
        pending.settle({ ok: false, code: 'DEADLINE_EXCEEDED', message: 'the deadline passed while the request was queued' });
        continue;
      }
      const worker = this.idle.pop()!;
      worker.running = pending;
      const message: ToWorker = { type: 'job', id: pending.id, job: pending.job };
      worker.thread.postMessage(message);
    }
    this.options.hooks.queueDepth(this.queue.length);
    this.options.hooks.busy([...this.all].filter((w) => w.running).length);
  }

  private spawn(): Promise<ModelStatus[]> {
    const entry = workerEntry();
    const thread = new Worker(entry.file, { execArgv: entry.execArgv, workerData: this.options.init });
    const worker: PoolWorker = { thread, running: null };
    this.all.add(worker);
    return new Promise((resolve, reject) => {
      let ready = false;
      thread.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.idle.push(worker);
          this.options.hooks.workers(this.all.size);
          resolve(message.models);
          this.pump();
          return;
        }
        const pending = worker.running;
        worker.running = null;
        if (pending && pending.id === message.id) pending.settle(message.outcome);
        this.idle.push(worker);
        this.pump();
      });
      thread.on('error', (error) => this.options.log.error('inference worker failed', { error: error.message }));
      thread.on('exit', (code) => {
        this.all.delete(worker);
        const at = this.idle.indexOf(worker);
        if (at >= 0) this.idle.splice(at, 1);
        this.options.hooks.workers(this.all.size);
        worker.running?.settle({ ok: false, code: 'INTERNAL', message: 'the worker running this request stopped' });
        if (!ready) {
          reject(new Error(`inference worker exited with code ${code} before loading its models`));
          return;
        }
        if (this.closing) return;
        // A worker that died mid-flight is replaced, so the pool keeps its size.
        this.options.log.error('inference worker exited; starting another', { code });
        this.spawn().catch((error: Error) => this.options.log.error('replacement worker failed', { error: error.message }));
      });
    });
  }
}
