import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fixtureOnnxBytes, fixtureTokenizerJson, fixtureVocabulary } from '../../../../sidecars/inference/fixtures/make-fixture-model';
import { type CatalogueEntry, installModel, readCatalogue } from '../../../../sidecars/inference/models/fetch-models';
import { scanModels } from '../../../../sidecars/inference/models/manifest';
import { tempModelsDir } from '../harness';

const ONNX = Buffer.from(fixtureOnnxBytes(fixtureVocabulary()));
const TOKENIZER = Buffer.from(fixtureTokenizerJson(fixtureVocabulary()));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function entry(overrides: { onnxSha?: string | null; onnxBytes?: number } = {}): CatalogueEntry {
  const files = [
    {
      path: 'model.onnx',
      url: 'https://example.invalid/model.onnx',
      sha256: overrides.onnxSha === undefined ? sha256(ONNX) : overrides.onnxSha,
      bytes: overrides.onnxBytes ?? 1_000_000,
    },
    { path: 'tokenizer.json', url: 'https://example.invalid/tokenizer.json', sha256: sha256(TOKENIZER), bytes: 1_000_000 },
  ];
  return {
    id: 'served',
    files,
    raw: { id: 'served', kind: 'token-classification', licence: 'test', source: 'test', files, onnx: 'model.onnx', tokenizer: 'tokenizer.json' },
  };
}

describe('fetch-models', () => {
  let server: Server;
  let base: string;
  const models = tempModelsDir();

  beforeAll(async () => {
    server = createServer((req, res) => res.end(req.url === '/model.onnx' ? ONNX : TOKENIZER));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    models.remove();
  });

  const local = (f: { url: string }) => base + new URL(f.url).pathname;

  it('installs a model whose every file matches its pinned sha256, with a manifest the sidecar accepts', async () => {
    expect(await installModel(entry(), models.dir, local)).toEqual({ id: 'served', installed: true });
    expect(readFileSync(path.join(models.dir, 'served', 'model.onnx'))).toEqual(ONNX);
    const { models: found, problems } = await scanModels(models.dir);
    expect(problems).toEqual([]);
    expect(found.map((m) => m.manifest.id)).toEqual(['served']);
  });

  it('refuses a file whose bytes differ from the pin and installs nothing of that model', async () => {
    const dir = path.join(models.dir, 'mismatch');
    const result = await installModel({ ...entry({ onnxSha: 'f'.repeat(64) }), id: 'mismatch' }, models.dir, local);
    expect(result).toEqual({
      id: 'mismatch',
      installed: false,
      reason: expect.stringMatching(/model.onnx: sha256 [0-9a-f]{64} is not the pinned f{64}; refused/),
    });
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(models.dir).filter((n) => n.includes('mismatch'))).toEqual([]);
  });

  it('refuses an unpinned file without downloading, telling the operator to verify and pin it', async () => {
    const result = await installModel({ ...entry({ onnxSha: null }), id: 'unpinned' }, models.dir, () => {
      throw new Error('must not download');
    });
    expect(result).toEqual({
      id: 'unpinned',
      installed: false,
      reason: expect.stringMatching(/no sha256 is pinned for model.onnx: .*verify it .*commit its sha256/),
    });
  });

  it('refuses a download larger than the catalogue bound', async () => {
    const result = await installModel({ ...entry({ onnxBytes: 10 }), id: 'too-big' }, models.dir, local);
    expect(result.installed ? '' : result.reason).toMatch(/bound of 10/);
  });

  it('the committed catalogue parses; unpinned entries stay unpinned rather than guessed', () => {
    const catalogue = readCatalogue();
    expect(catalogue.map((e) => e.id)).toEqual(['all-minilm-l6-v2', 'llmlingua-2-tinybert-meetingbank', 'llmlingua4j-bert-base']);
    for (const e of catalogue) for (const f of e.files) expect(f.sha256 === null || /^[0-9a-f]{64}$/.test(f.sha256)).toBe(true);
  });
});
