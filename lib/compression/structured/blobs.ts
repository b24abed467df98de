/**
 * Long base64 runs (embedded files, images, tokens) replaced by a marker naming their length and
 * the start of their SHA-256, so two mentions of one blob can still be matched. Lossy, marked.
 * One pass over the text.
 */
import { createHash } from 'node:crypto';

export const MIN_BLOB_LENGTH = 200;

function isBase64Char(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 61;
}

/** Random base64 mixes cases and digits; a long word or a row of dashes does not. */
function looksEncoded(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
}

export function blobMarker(run: string): string {
  const digest = createHash('sha256').update(run).digest('hex').slice(0, 12);
  return `[base64 blob, ${run.length} chars, sha256 ${digest}…]`;
}

export function shortenBlobs(text: string): string {
  let out = '';
  let copiedTo = 0;
  let runStart = -1;
  for (let index = 0; index <= text.length; index++) {
    const inRun = index < text.length && isBase64Char(text.charCodeAt(index));
    if (inRun && runStart < 0) runStart = index;
    if (inRun || runStart < 0) continue;
    if (index - runStart >= MIN_BLOB_LENGTH) {
      const run = text.slice(runStart, index);
      if (looksEncoded(run)) {
        out += text.slice(copiedTo, runStart) + blobMarker(run);
        copiedTo = index;
      }
    }
    runStart = -1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}
