/**
 * `make models`: downloads the catalogued models (catalogue/*.json) into a models folder. Every
 * file must match the sha256 committed in its catalogue entry; a file without a pinned hash, one
 * larger than its entry allows, or one whose bytes differ is never installed, and neither is the
 * rest of its model. Files land under a temporary name and are renamed only once all of a
 * model's files are verified.
 *
 * Usage: tsx sidecars/inference/models/fetch-models.ts <models folder> [model id ...]
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseManifest } from './manifest';

export const CATALOGUE_DIR = path.join(__dirname, 'catalogue');

interface CatalogueFile {
  path: string;
  url: string;
  sha256: string | null;
  /** Upper bound on the download: a server cannot fill the disk. */
  bytes: number;
}

export interface CatalogueEntry {
  id: string;
  files: CatalogueFile[];
  raw: Record<string, unknown>;
}

export type InstallResult = { id: string; installed: true } | { id: string; installed: false; reason: string };

export function readCatalogue(dir = CATALOGUE_DIR): CatalogueEntry[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const raw = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;
      const manifest = parseManifest(raw);
      const files = (raw.files as CatalogueFile[]).map((f) => {
        if (typeof f.url !== 'string' || !f.url.startsWith('https://')) throw new Error(`${manifest.id}: ${f.path} needs an https url`);
        if (!Number.isInteger(f.bytes) || f.bytes <= 0) throw new Error(`${manifest.id}: ${f.path} needs a bytes bound`);
        return { path: path.normalize(f.path), url: f.url, sha256: f.sha256, bytes: f.bytes };
      });
      return { id: manifest.id, files, raw };
    });
}

/** Streams `url` into `target`, hashing as it goes; refuses past `maxBytes`. */
async function download(url: string, target: string, maxBytes: number): Promise<string> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`GET ${url}: ${declared} bytes is more than the catalogue's bound of ${maxBytes}`);
  const hash = createHash('sha256');
  let received = 0;
  const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  source.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) source.destroy(new Error(`GET ${url}: more than the catalogue's bound of ${maxBytes} bytes`));
    hash.update(chunk);
  });
  await pipeline(source, createWriteStream(target));
  return hash.digest('hex');
}

export async function installModel(entry: CatalogueEntry, modelsDir: string, urlOf: (file: CatalogueFile) => string = (f) => f.url): Promise<InstallResult> {
  const unpinned = entry.files.filter((f) => !f.sha256).map((f) => f.path);
  if (unpinned.length > 0) {
    return {
      id: entry.id,
      installed: false,
      reason: `no sha256 is pinned for ${unpinned.join(', ')}: download it yourself, verify it against the publisher, and commit its sha256 to sidecars/inference/models/catalogue/${entry.id}.json`,
    };
  }
  const dir = path.join(modelsDir, entry.id);
  const staging = path.join(modelsDir, `.${entry.id}.partial`);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const file of entry.files) {
      const target = path.join(staging, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      const actual = await download(urlOf(file), target, file.bytes);
      if (actual !== file.sha256) throw new Error(`${file.path}: sha256 ${actual} is not the pinned ${file.sha256}; refused`);
    }
    const { files, ...rest } = entry.raw;
    const manifest = { ...rest, files: (files as CatalogueFile[]).map(({ path: p, sha256, url }) => ({ path: p, sha256, url })) };
    writeFileSync(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { id: entry.id, installed: true };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    return { id: entry.id, installed: false, reason: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const [modelsDir, ...ids] = process.argv.slice(2);
  if (!modelsDir) throw new Error('usage: fetch-models.ts <models folder> [model id ...]');
  mkdirSync(modelsDir, { recursive: true });
  const catalogue = readCatalogue().filter((e) => ids.length === 0 || ids.includes(e.id));
  let refused = 0;
  for (const entry of catalogue) {
    const result = await installModel(entry, modelsDir);
    if (result.installed) process.stdout.write(`installed ${result.id} into ${path.join(modelsDir, result.id)}\n`);
    else {
      refused++;
      process.stderr.write(`refused ${result.id}: ${result.reason}\n`);
    }
  }
  if (refused > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`fetch-models: ${error.message}\n`);
    process.exit(1);
  });
}
