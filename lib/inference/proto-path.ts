/**
 * Where `lib/inference/inference.proto` is at run time: the same answer from source (jest, tsx),
 * from an esbuild bundle in dist/ and from a Docker image that copies lib/inference beside it.
 * AIGW_PROTO_DIR (the folder holding inference.proto) wins; else the first ancestor of this
 * module's folder that holds lib/inference/inference.proto.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const INFERENCE_PROTO_FILE = 'inference.proto';
const RELATIVE = path.join('lib', 'inference', INFERENCE_PROTO_FILE);

export function resolveInferenceProto(env: NodeJS.ProcessEnv = process.env, from: string = __dirname): string {
  const override = env.AIGW_PROTO_DIR;
  if (override) {
    const file = path.resolve(override, INFERENCE_PROTO_FILE);
    if (!existsSync(file)) throw new Error(`AIGW_PROTO_DIR=${override} holds no ${INFERENCE_PROTO_FILE}`);
    return file;
  }
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, RELATIVE);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`${RELATIVE} not found above ${from}; set AIGW_PROTO_DIR to the folder holding ${INFERENCE_PROTO_FILE}`);
}
