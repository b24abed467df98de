/** A one-node Redis Cluster (all 16384 slots on one server), to prove scripts stay within one slot. */
import Redis, { Cluster } from 'ioredis';
import { startRedis, type TestRedis } from './redis';

export interface TestRedisCluster {
  server: TestRedis;
  cluster: Cluster;
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<TestRedisCluster> {
  const server = await startRedis({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1'] });
  const admin = new Redis(server.url);
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  // Until the node says the cluster is up: going on before would fail later with CLUSTERDOWN.
  for (const deadline = Date.now() + 20_000; !/cluster_state:ok/.test(String(await admin.call('CLUSTER', 'INFO'))); ) {
    if (Date.now() > deadline) {
      admin.disconnect();
      await server.stop();
      throw new Error('the one-node Redis Cluster did not reach cluster_state:ok within 20 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  admin.disconnect();
  const cluster = new Cluster([{ host: '127.0.0.1', port: server.port }], { redisOptions: { commandTimeout: 5000 } });
  return {
    server,
    cluster,
    stop: async () => {
      cluster.disconnect();
      await server.stop();
    },
  };
}
