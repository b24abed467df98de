import { threadId } from 'node:worker_threads';
import { createLogger } from '../../../../lib/log';
import type { CompressJob, Job } from '../../../../sidecars/inference/pool/messages';
import { WorkerPool } from '../../../../sidecars/inference/pool/worker-pool';
import { releaseHeld } from '../../../../sidecars/inference/server';
import { waitFor } from '../../../harness/wait-for';

const structured = (text: string): CompressJob => ({
  rpc: 'compress',
  method: 'structured',
  model: '',
  segments: [text],
  rate: 0,
  targetTokens: 0,
  question: '',
  forceTokens: [],
  forceReserveDigit: false,
  dropConsecutive: false,
  useContextLevelFilter: false,
});

describe('WorkerPool', () => {
  const gate = new SharedArrayBuffer(4);
  const dropped: Job[] = [];
  let busy = 0;
  const pool = new WorkerPool({
    size: 1,
    queueMax: 4,
    init: { models: [], builtinEmbedder: false, holdGate: gate },
    log: createLogger('pool-test', 'error'),
    hooks: { queueDepth: () => undefined, deadlineDropped: (job) => dropped.push(job), workers: () => undefined, busy: (n) => (busy = n) },
  });

  beforeAll(() => pool.start());
  afterAll(() => pool.close());
  afterEach(() => Atomics.store(new Int32Array(gate), 0, 0));

  it('computes on a worker thread, not on the caller’s', async () => {
    const outcome = await pool.submit(structured('hello'), Number.POSITIVE_INFINITY)!.outcome;
    expect(outcome.ok && outcome.threadId).toBeGreaterThan(0);
    expect(outcome.ok && outcome.threadId).not.toBe(threadId);
  });

  it('drops a job whose deadline passed while it waited, without running it', async () => {
    const held = pool.submit({ rpc: 'hold' }, Number.POSITIVE_INFINITY)!;
    await waitFor(() => (busy === 1 ? true : undefined), 5000, 'the worker to be held');
    const deadline = Date.now() + 30;
    const late = pool.submit(structured('late'), deadline)!;
    const onTime = pool.submit(structured('on time'), Number.POSITIVE_INFINITY)!;
    await waitFor(() => (Date.now() > deadline ? true : undefined), 5000, 'the deadline to pass');
    releaseHeld(gate);
    expect(await late.outcome).toEqual({ ok: false, code: 'DEADLINE_EXCEEDED', message: expect.any(String) });
    expect(dropped).toHaveLength(1);
    expect((dropped[0] as CompressJob).segments).toEqual(['late']);
    const next = await onTime.outcome;
    expect(next.ok && (next.value as { segments: string[] }).segments).toEqual(['on time']);
    expect((await held.outcome).ok).toBe(true);
  });

  it('takes a cancelled job out of the queue and refuses beyond queueMax', async () => {
    const held = pool.submit({ rpc: 'hold' }, Number.POSITIVE_INFINITY)!;
    await waitFor(() => (busy === 1 ? true : undefined), 5000, 'the worker to be held');
    const queued = [1, 2, 3, 4].map((n) => pool.submit(structured(`q${n}`), Number.POSITIVE_INFINITY)!);
    expect(pool.submit(structured('overflow'), Number.POSITIVE_INFINITY)).toBeNull();
    queued[1].cancel();
    expect(pool.queueLength).toBe(3);
    expect(await queued[1].outcome).toEqual({ ok: false, code: 'CANCELLED', message: expect.any(String) });
    releaseHeld(gate);
    const rest = await Promise.all([queued[0], queued[2], queued[3]].map((s) => s.outcome));
    expect(rest.map((o) => o.ok && (o.value as { segments: string[] }).segments[0])).toEqual(['q1', 'q3', 'q4']);
    expect((await held.outcome).ok).toBe(true);
  });
});
