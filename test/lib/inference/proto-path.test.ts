import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveInferenceProto } from '../../../lib/inference/proto-path';
import { REPO_ROOT } from '../../harness/repo-root';

describe('resolveInferenceProto', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aigw-proto-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds the repository copy walking up from the module (source and dist/ alike)', () => {
    const expected = path.join(REPO_ROOT, 'lib', 'inference', 'inference.proto');
    expect(resolveInferenceProto({})).toBe(expected);
    expect(resolveInferenceProto({}, path.join(REPO_ROOT, 'dist', 'sidecars'))).toBe(expected);
  });

  it('finds an image layout: /app/dist/sidecars beside /app/lib/inference', () => {
    mkdirSync(path.join(tmp, 'app', 'lib', 'inference'), { recursive: true });
    writeFileSync(path.join(tmp, 'app', 'lib', 'inference', 'inference.proto'), 'syntax = "proto3";');
    expect(resolveInferenceProto({}, path.join(tmp, 'app', 'dist', 'sidecars'))).toBe(path.join(tmp, 'app', 'lib', 'inference', 'inference.proto'));
  });

  it('AIGW_PROTO_DIR wins, and must hold the file', () => {
    expect(resolveInferenceProto({ AIGW_PROTO_DIR: path.join(tmp, 'app', 'lib', 'inference') }, '/')).toBe(
      path.join(tmp, 'app', 'lib', 'inference', 'inference.proto'),
    );
    expect(() => resolveInferenceProto({ AIGW_PROTO_DIR: tmp })).toThrow(/holds no inference.proto/);
  });

  it('says what to set when nothing is found', () => {
    expect(() => resolveInferenceProto({}, path.join(tmp, 'nowhere'))).toThrow(/AIGW_PROTO_DIR/);
  });
});
