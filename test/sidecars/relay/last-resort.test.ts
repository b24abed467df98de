/**
 * A relay bug (anything handleRelayRequest throws) is answered with a 500 in the client's shape and
 * counted like every other answer, on the gateway: without the count it would be invisible on
 * every dashboard.
 */
import type { PlanTarget } from '../../../lib/plan';
import { json, startTestRelay, type TestRelay, Upstream } from './relay-harness';

let upstream: Upstream;
let testRelay: TestRelay;

beforeAll(async () => {
  upstream = await Upstream.start();
  testRelay = await startTestRelay();
});

afterAll(async () => {
  await testRelay.close();
  await upstream.close();
});

const target = (): PlanTarget => ({
  provider: 'openai',
  baseUrl: upstream.url,
  model: 'gpt-4o-mini',
  credential: 'UPSTREAM_API_KEY',
  timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
  pricing: { input: 1, output: 2 },
});

test('a request the relay fails on is counted as a gateway error', async () => {
  upstream.script(json(200, { error: 'never reached' }));
  // The relay's own step fails: here, recording usage throws.
  testRelay.usage.record = () => {
    throw new Error('usage sink broke');
  };
  const res = await testRelay.send(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }), target());
  await res.text().catch(() => '');
  const text = await testRelay.metrics.registry.metrics();
  expect(text).toMatch(/aigw_requests_total\{[^}]*answered_by="relay"[^}]*status="500"[^}]*error_type="gateway"[^}]*\} 1/);
});
