/**
 * A model folder's `manifest.json`: what the model is, its files and their sha256. A file whose
 * hash differs from the manifest makes the model unavailable: bytes nobody pinned never load.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** difficulty-classifier: a router's trained scorer (lib/router/onnx-scorer.ts), installed here by `make models` and read by aigw-router, not served. */
export type ModelKind = 'token-classification' | 'sentence-embedding' | 'difficulty-classifier';

export interface ModelFile {
  path: string;
  /** Lowercase hex; null = not pinned yet (fetch-models refuses to install it). */
  sha256: string | null;
  url?: string;
}

export interface ModelManifest {
  id: string;
  kind: ModelKind;
  files: ModelFile[];
  licence: string;
  source: string;
  /** The ONNX graph and tokenizer.json among `files` (a difficulty classifier reads no text: tokenizer ''). */
  onnx: string;
  tokenizer: string;
  max_seq_len: number;
  /** sentence-embedding: the vector size. */
  dimensions?: number;
  /** token-classification: how sub-word tokens mark words (BERT `##` or SentencePiece `▁`). */
  word_style: WordStyle;
}

export type WordStyle = 'wordpiece' | 'sentencepiece';

/** A model the workers may load: its folder and verified manifest. */
export interface VerifiedModel {
  dir: string;
  manifest: ModelManifest;
}

export interface ModelProblem {
  id: string;
  error: string;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const MANIFEST_BYTES_MAX = 64 * 1024;

function fail(message: string): never {
  throw new Error(message);
}

/** A relative path that stays inside the model's folder. */
function safeRelative(file: string): string {
  const normal = path.normalize(file);
  if (path.isAbsolute(normal) || normal.startsWith('..')) fail(`file path ${file} leaves the model folder`);
  return normal;
}

export function parseManifest(json: unknown): ModelManifest {
  const m = json as Partial<ModelManifest> | null;
  if (!m || typeof m !== 'object') fail('manifest is not an object');
  if (typeof m.id !== 'string' || !ID_PATTERN.test(m.id)) fail('manifest id must match ' + ID_PATTERN);
  if (m.kind !== 'token-classification' && m.kind !== 'sentence-embedding' && m.kind !== 'difficulty-classifier')
    fail(`manifest ${m.id}: unknown kind ${String(m.kind)}`);
  if (!Array.isArray(m.files) || m.files.length === 0 || m.files.length > 32) fail(`manifest ${m.id}: files must list 1 to 32 files`);
  const files = m.files.map((f: Partial<ModelFile>) => {
    if (typeof f?.path !== 'string') fail(`manifest ${m.id}: a file has no path`);
    if (f.sha256 !== null && (typeof f.sha256 !== 'string' || !SHA256_PATTERN.test(f.sha256)))
      fail(`manifest ${m.id}: ${f.path} sha256 must be 64 lowercase hex or null`);
    return { path: safeRelative(f.path), sha256: f.sha256 ?? null, ...(typeof f.url === 'string' ? { url: f.url } : {}) };
  });
  const named = new Set(files.map((f) => f.path));
  if (typeof m.onnx !== 'string' || !named.has(path.normalize(m.onnx))) fail(`manifest ${m.id}: onnx must name one of its files`);
  const readsText = m.kind !== 'difficulty-classifier';
  if (readsText && (typeof m.tokenizer !== 'string' || !named.has(path.normalize(m.tokenizer)))) fail(`manifest ${m.id}: tokenizer must name one of its files`);
  const maxSeqLen = m.max_seq_len ?? 512;
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 8 || maxSeqLen > 8192) fail(`manifest ${m.id}: max_seq_len must be an integer in [8, 8192]`);
  const wordStyle = m.word_style ?? 'wordpiece';
  if (wordStyle !== 'wordpiece' && wordStyle !== 'sentencepiece') fail(`manifest ${m.id}: word_style must be wordpiece or sentencepiece`);
  if (m.kind === 'sentence-embedding' && (!Number.isInteger(m.dimensions) || (m.dimensions ?? 0) < 1)) fail(`manifest ${m.id}: dimensions required`);
  return {
    id: m.id,
    kind: m.kind,
    files,
    licence: String(m.licence ?? ''),
    source: String(m.source ?? ''),
    onnx: path.normalize(m.onnx),
    tokenizer: readsText ? path.normalize(m.tokenizer as string) : '',
    max_seq_len: maxSeqLen,
    word_style: wordStyle,
    ...(m.dimensions !== undefined ? { dimensions: m.dimensions } : {}),
  };
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Reads and verifies one model folder; throws a message naming what is wrong. */
export async function verifyModelDir(dir: string): Promise<ModelManifest> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (statSync(manifestFile).size > MANIFEST_BYTES_MAX) fail(`${manifestFile} is larger than ${MANIFEST_BYTES_MAX} bytes`);
  const manifest = parseManifest(JSON.parse(readFileSync(manifestFile, 'utf8')));
  for (const file of manifest.files) {
    if (!file.sha256) fail(`${manifest.id}: ${file.path} has no pinned sha256`);
    const actual = await sha256File(path.join(dir, file.path));
    if (actual !== file.sha256) fail(`${manifest.id}: ${file.path} sha256 ${actual} differs from the manifest's ${file.sha256}`);
  }
  return manifest;
}

/** Every sub-folder of `modelsDir` holding a manifest.json; a missing folder is no models. */
export async function scanModels(modelsDir: string): Promise<{ models: VerifiedModel[]; problems: ModelProblem[] }> {
  const models: VerifiedModel[] = [];
  const problems: ModelProblem[] = [];
  if (!existsSync(modelsDir)) return { models, problems };
  const entries = readdirSync(modelsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(modelsDir, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort();
  for (const name of entries) {
    const dir = path.join(modelsDir, name);
    try {
      const manifest = await verifyModelDir(dir);
      // The folder is the id: a request naming a broken model finds its problem by that name.
      if (manifest.id !== name) fail(`folder ${name} holds manifest id ${manifest.id}; they must match`);
      models.push({ dir, manifest });
    } catch (error) {
      problems.push({ id: name, error: (error as Error).message });
    }
  }
  return { models, problems };
}
