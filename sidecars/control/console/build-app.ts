/**
 * Builds the admin console into one folder: app-<hash>.js, app-<hash>.css and an index.html that
 * names them. No inline script or style anywhere, so the control sidecar's strict CSP
 * (`script-src 'self'; style-src 'self'`) holds; the hashes let those two files be cached for good.
 * Usage: tsx sidecars/control/console/build-app.ts [outdir]  (default dist/console)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

/** Where Kong routes the console: the assets are named from the root, so any client route finds them. */
export const CONSOLE_BASE = '/console';

async function main(outdir: string): Promise<void> {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(__dirname, 'app', 'main.tsx') },
    bundle: true,
    minify: true,
    sourcemap: false,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir,
    metafile: true,
    logLevel: 'warning',
    // Production Preact: no devtools hook, no debug warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`the console build made no app script or stylesheet: ${outputs.join(', ')}`);
  const html = readFileSync(join(__dirname, 'app', 'index.html'), 'utf8')
    .replace('{{script}}', `${CONSOLE_BASE}/${js}`)
    .replace('{{stylesheet}}', `${CONSOLE_BASE}/${css}`);
  writeFileSync(join(outdir, 'index.html'), html);
}

main(resolve(process.argv[2] ?? 'dist/console')).catch((error: unknown) => {
  process.stderr.write(`console build failed: ${(error as Error).message}\n`);
  process.exit(1);
});
