import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFixtureModel } from '../../../../sidecars/inference/fixtures/make-fixture-model';
import { parseManifest, scanModels } from '../../../../sidecars/inference/models/manifest';
import { tempModelsDir } from '../harness';

const valid = {
  id: 'm1',
  kind: 'token-classification',
  licence: 'MIT',
  source: 'test',
  files: [
    { path: 'model.onnx', sha256: 'a'.repeat(64) },
    { path: 'tokenizer.json', sha256: null },
  ],
  onnx: 'model.onnx',
  tokenizer: 'tokenizer.json',
};

describe('model manifests', () => {
  it('parses a valid manifest with defaults', () => {
    expect(parseManifest(valid)).toMatchObject({ id: 'm1', max_seq_len: 512, word_style: 'wordpiece' });
  });

  it('parses a router difficulty classifier without a tokenizer (it reads a feature vector, not text)', () => {
    const classifier = { id: 'router-difficulty', kind: 'difficulty-classifier', files: [{ path: 'model.onnx', sha256: null }], onnx: 'model.onnx' };
    expect(parseManifest(classifier)).toMatchObject({ kind: 'difficulty-classifier', onnx: 'model.onnx', tokenizer: '' });
    expect(() => parseManifest({ ...classifier, kind: 'token-classification' })).toThrow(/tokenizer must name/);
  });

  it.each([
    ['a path leaving the folder', { ...valid, files: [{ path: '../../etc/passwd', sha256: null }] }, /leaves the model folder/],
    ['a malformed hash', { ...valid, files: [{ path: 'model.onnx', sha256: 'XYZ' }] }, /sha256/],
    ['an unknown kind', { ...valid, kind: 'vision' }, /unknown kind/],
    ['an onnx file not listed', { ...valid, onnx: 'other.onnx' }, /onnx must name/],
    ['a hostile id', { ...valid, id: '../x' }, /id must match/],
    ['an embedder without dimensions', { ...valid, kind: 'sentence-embedding' }, /dimensions/],
  ])('refuses %s', (_, manifest, message) => {
    expect(() => parseManifest(manifest)).toThrow(message);
  });

  it('verifies each file against its sha256 and refuses unpinned or changed files', async () => {
    const models = tempModelsDir();
    try {
      writeFixtureModel(models.dir, 'good');
      writeFileSync(path.join(writeFixtureModel(models.dir, 'changed'), 'model.onnx'), 'other bytes');
      const renamed = writeFixtureModel(models.dir, 'folder-name');
      const manifestFile = path.join(renamed, 'manifest.json');
      writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, 'utf8')), id: 'other-id' }));
      const { models: ok, problems } = await scanModels(models.dir);
      expect(ok.map((m) => m.manifest.id)).toEqual(['good']);
      expect(problems).toEqual([
        { id: 'changed', error: expect.stringMatching(/model.onnx sha256 [0-9a-f]{64} differs/) },
        { id: 'folder-name', error: expect.stringMatching(/must match/) },
      ]);
    } finally {
      models.remove();
    }
  });

  it('treats a missing models folder as no models', async () => {
    expect(await scanModels('/nonexistent/aigw-models')).toEqual({ models: [], problems: [] });
  });
});
