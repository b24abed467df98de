/**
 * A model worker thread: loads every model once, says which loaded, then runs one job at a time
 * for the pool. Built to dist/sidecars/inference-worker.js; from source it runs under tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from '../pool/messages';
import { runJob } from './dispatch';
import { loadWorkerModels } from './models';
import { warmUpEmbedders, warmUpTextMethods } from './warm-up';

async function start(port: NonNullable<typeof parentPort>): Promise<void> {
  const init = workerData as WorkerInit;
  const models = await loadWorkerModels(init);
  warmUpTextMethods();
  await warmUpEmbedders(models.embedders.values());
  const send = (message: FromWorker): void => port.postMessage(message);
  port.on('message', (message: ToWorker) => {
    runJob(message.job, models, init.holdGate).then((outcome) => send({ type: 'done', id: message.id, outcome }));
  });
  send({ type: 'ready', models: models.statuses });
}

if (!parentPort) throw new Error('the inference worker runs only as a worker thread');
start(parentPort);
