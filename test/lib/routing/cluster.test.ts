// TargetStats on a one-node Redis Cluster through ioredis Cluster: Redis refuses a script whose
// keys are in different slots, so this proves the per-target hash tags; the snapshot takes the
// parallel path there (a pipeline cannot span slots).
import type { Cluster } from 'ioredis';
import { TargetStats } from '../../../lib/routing/target-stats';
import { startRedisCluster, type TestRedisCluster } from '../../harness/stores/redis-cluster';

let fixture: TestRedisCluster;
let cluster: Cluster;

beforeAll(async () => {
  fixture = await startRedisCluster();
  cluster = fixture.cluster;
});
afterAll(async () => {
  await fixture?.stop();
});

const T0 = 1_750_000_000_000;

it('every script runs in one slot and the snapshot spans slots', async () => {
  const stats = new TargetStats(cluster);
  const ids = ['c1', 'c2', 'c3'];
  for (let i = 0; i < 5; i++) await stats.recordOutcome('c1', { ok: false, kind: 'server', now: T0 });
  expect(await stats.acquireProbe('c1', 'p', 1000, T0 + 30_000)).toBe(true);
  await stats.recordOutcome('c1', { ok: true, now: T0 + 30_001, requestId: 'p' });
  await stats.recordLatency('c2', { ttftMs: 50, perTokenMs: 5, now: T0 });
  await stats.begin('c3', 'r', 1000, T0);
  await stats.recordUsage('c3', { requests: 1, tokens: 9, now: T0 });
  expect(await stats.end('c3', 'r')).toBe(true);
  const snap = await stats.snapshot(ids, T0 + 30_002, {
    breaker: true,
    latency: true,
    inFlight: true,
    usage: true,
    probe: { holder: 'h', leaseMs: 100 },
    wrrGroup: 'g',
  });
  expect(snap.counter).toBe(1);
  expect(snap.targets.get('c1')).toMatchObject({ breaker: 'closed', probeGranted: false });
  expect(snap.targets.get('c2')!.latency).toMatchObject({ ttftMs: 50, perTokenMs: 5 });
  expect(snap.targets.get('c3')).toMatchObject({ inFlight: 0, usage: { rpm: 1, tpm: 9 } });
});
