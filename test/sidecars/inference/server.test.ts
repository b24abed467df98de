import { HOLD_METHOD } from '../../../sidecars/inference/requests';
import { releaseHeld } from '../../../sidecars/inference/server';
import { waitFor } from '../../harness/wait-for';
import { type RunningSidecar, startSidecar } from './harness';

describe('inference sidecar over gRPC', () => {
  let sidecar: RunningSidecar;

  beforeAll(async () => {
    sidecar = await startSidecar({
      INFERENCE_WORKERS: '1',
      INFERENCE_QUEUE_MAX: '2',
      INFERENCE_TEST_HOOKS: 'true',
      INFERENCE_MAX_MESSAGE_BYTES: String(64 * 1024),
    });
  });
  afterAll(() => sidecar.stop());

  /** Parks the one worker until the test releases it; resolves (with the call's answer still pending) once the worker has the job. */
  const hold = async () => {
    const answer = sidecar.client.compress({ method: HOLD_METHOD, segments: ['x'] }, 20_000);
    await waitFor(async () => ((await metric('aigw_inference_workers_busy')) === 1 ? true : undefined), 5000, 'the worker to be held');
    return { answer };
  };
  const release = () => {
    releaseHeld(sidecar.server.holdGate!);
  };
  afterEach(() => Atomics.store(new Int32Array(sidecar.server.holdGate!), 0, 0));
  const metric = (name: string, labels: Record<string, string> = {}) => sidecar.metrics.value(name, labels);

  it('reports SERVING on grpc.health.v1 once the workers are up', async () => {
    expect(await sidecar.health()).toBe('SERVING');
    expect(await sidecar.health('aigw.inference.v1.Inference')).toBe('SERVING');
  });

  it('runs Compress through a worker and answers the counts', async () => {
    const result = await sidecar.client.compress({ method: 'structured', segments: ['Hello world, this is a test.', 'Second part.'] }, 5000);
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ segments: ['Hello world, this is a test.', 'Second part.'], originalTokens: 11, compressedTokens: 11, model: '' }),
    });
    expect(result.ok && result.value.computeMicros).toBeGreaterThan(0);
    expect(await metric('aigw_inference_computed_total', { rpc: 'compress', method: 'structured' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses unknown methods, bad rates and empty or oversized requests with INVALID_ARGUMENT', async () => {
    const refused = async (request: Parameters<RunningSidecar['client']['compress']>[0]) => {
      const r = await sidecar.client.compress(request, 5000);
      return r.ok ? 'ok' : r.failure.code;
    };
    expect(await refused({ method: 'gzip', segments: ['x'] })).toBe('INVALID_ARGUMENT');
    expect(await refused({ method: 'structured', segments: ['x'], rate: 1.5 })).toBe('INVALID_ARGUMENT');
    expect(await refused({ method: 'structured', segments: ['x'], rate: -0.1 })).toBe('INVALID_ARGUMENT');
    expect(await refused({ method: 'structured', segments: [] })).toBe('INVALID_ARGUMENT');
    expect(await refused({ method: 'structured', segments: Array(257).fill('x') })).toBe('INVALID_ARGUMENT');
    expect(await refused({ method: 'llmlingua2', segments: ['x'], model: 'no-such-model' })).toBe('INVALID_ARGUMENT');
    // No token-classification model is installed here.
    expect(await refused({ method: 'llmlingua2', segments: ['x'] })).toBe('FAILED_PRECONDITION');
    // The built-in embedder is off in this sidecar, so the default embedder is not a model it knows.
    const embed = await sidecar.client.embed(['x'], 5000);
    expect(embed.ok ? 'ok' : embed.failure.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a message larger than the configured maximum', async () => {
    const computedBefore = await metric('aigw_inference_computed_total');
    const result = await sidecar.client.compress({ method: 'structured', segments: ['a'.repeat(70 * 1024)] }, 5000);
    expect(result.ok ? 'ok' : result.failure.code).toBe('RESOURCE_EXHAUSTED');
    expect(result.ok || result.failure.message).toMatch(/larger than max/);
    expect(await metric('aigw_inference_computed_total')).toBe(computedBefore);
    // Just under the limit is accepted.
    expect((await sidecar.client.compress({ method: 'structured', segments: ['a'.repeat(60 * 1024)] }, 5000)).ok).toBe(true);
  });

  it('answers RESOURCE_EXHAUSTED at once when the queue is full, and keeps its event loop free while a worker computes', async () => {
    const rejectedBefore = await metric('aigw_inference_rejections_total');
    const { answer: running } = await hold();
    const queued = [
      sidecar.client.compress({ method: 'structured', segments: ['one'] }, 20_000),
      sidecar.client.compress({ method: 'structured', segments: ['two'] }, 20_000),
    ];
    await waitFor(async () => ((await metric('aigw_inference_queue_depth')) === 2 ? true : undefined), 5000, 'two queued requests');
    // The worker is parked; the gRPC thread still answers health checks and refusals.
    expect(await sidecar.health()).toBe('SERVING');
    const started = Date.now();
    const overflow = await sidecar.client.compress({ method: 'structured', segments: ['three'] }, 20_000);
    expect(overflow.ok ? 'ok' : overflow.failure.code).toBe('RESOURCE_EXHAUSTED');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await metric('aigw_inference_rejections_total')).toBe(rejectedBefore + 1);
    release();
    expect((await running).ok).toBe(true);
    for (const r of await Promise.all(queued)) expect(r.ok).toBe(true);
  });

  it('drops a request whose deadline passes in the queue without computing it', async () => {
    const computedBefore = await metric('aigw_inference_computed_total', { method: 'structured' });
    const { answer: running } = await hold();
    // Long enough to be seen queued on a loaded machine; the worker stays parked past it.
    const late = sidecar.client.compress({ method: 'structured', segments: ['too late'] }, 1500);
    await waitFor(async () => ((await metric('aigw_inference_queue_depth')) === 1 ? true : undefined), 5000, 'the request queued');
    const answer = await late;
    expect(answer.ok ? 'ok' : answer.failure.code).toBe('DEADLINE_EXCEEDED');
    // The call's cancellation took it out of the queue before the worker was free.
    await waitFor(async () => ((await metric('aigw_inference_queue_depth')) === 0 ? true : undefined), 5000, 'the queue to empty');
    release();
    expect((await running).ok).toBe(true);
    const after = await sidecar.client.compress({ method: 'structured', segments: ['after'] }, 5000);
    expect(after.ok).toBe(true);
    // Only the later request was computed: the late one never reached a worker.
    expect(await metric('aigw_inference_computed_total', { method: 'structured' })).toBe(computedBefore + 1);
  });
});
