/** Starts the inference sidecar in this process on 127.0.0.1:0 with test settings; the test stops it. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { InferenceClient } from '../../../lib/inference/client';
import type { Logger } from '../../../lib/log';
import { type InferenceConfig, loadInferenceConfig } from '../../../sidecars/inference/config';
import { InferenceMetrics } from '../../../sidecars/inference/metrics';
import { type InferenceServer, startInferenceServer } from '../../../sidecars/inference/server';

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** Keeps the sidecar's log lines for the test to read instead of printing them. */
function collectingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, fields });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface RunningSidecar {
  server: InferenceServer;
  logs: LogLine[];
  metrics: InferenceMetrics;
  client: InferenceClient;
  config: InferenceConfig;
  health(service?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A fresh models folder under the OS temp dir; removed by the returned function. */
export function tempModelsDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aigw-inference-models-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startSidecar(env: Record<string, string> = {}): Promise<RunningSidecar> {
  const config = loadInferenceConfig({
    INFERENCE_ADDRESS: '127.0.0.1:0',
    INFERENCE_WORKERS: '1',
    INFERENCE_BUILTIN_EMBEDDER: 'false',
    INFERENCE_MODELS_DIR: path.join(os.tmpdir(), 'aigw-inference-no-models'),
    ...env,
  });
  const metrics = new InferenceMetrics();
  const logs: LogLine[] = [];
  const log = collectingLogger(logs);
  const server = await startInferenceServer({ config, log, metrics });
  const client = new InferenceClient({ address: server.address, maxMessageBytes: 64 * 1024 * 1024 });
  const HealthClient = grpc.makeClientConstructor(healthService as unknown as grpc.ServiceDefinition, 'Health');
  const healthClient = new HealthClient(server.address, grpc.credentials.createInsecure()) as unknown as {
    Check(req: { service: string }, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void;
    close(): void;
  };
  return {
    server,
    logs,
    metrics,
    client,
    config,
    health: (service = '') =>
      new Promise((resolve, reject) => healthClient.Check({ service }, (error, response) => (error ? reject(error) : resolve(String(response?.status))))),
    async stop() {
      client.close();
      healthClient.close();
      await server.close();
    },
  };
}
