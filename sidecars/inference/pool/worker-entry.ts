/**
 * Which file a model worker runs. From source (jest, tsx) this module is a .ts file and the
 * worker is worker/main.ts under tsx's CommonJS hook (`--require tsx/cjs` in the worker's
 * execArgv: worker threads cannot load TypeScript by themselves). From the bundle this module is
 * inside dist/sidecars/inference.js and the worker is its sibling inference-worker.js.
 */
import path from 'node:path';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

export function workerEntry(moduleFile: string = __filename): WorkerEntry {
  if (moduleFile.endsWith('.ts')) return { file: path.resolve(path.dirname(moduleFile), '..', 'worker', 'main.ts'), execArgv: ['--require', 'tsx/cjs'] };
  return { file: path.join(path.dirname(moduleFile), 'inference-worker.js'), execArgv: [] };
}
