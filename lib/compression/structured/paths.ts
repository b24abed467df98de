/**
 * Path listings (find, git ls-files) grouped: consecutive paths in one folder become the folder
 * with the names in braces, as a shell writes them: src/lib/{a.ts,b.ts,c.ts}. Lossless for names
 * without braces, commas or spaces (others are left alone). `ls -l` lines lose their column
 * padding (near-lossless: the alignment only).
 */

const PATH_LINE = /^[^\s{},]*\/[^\s{},/]+$/;
const LONG_LISTING = /^[-dlcbps][rwxsStT-]{9}[.@+]?\s/;
const MIN_GROUP = 3;
/** Lines longer than this are never treated as paths (keeps the regexes' work per line bounded). */
const MAX_PATH_LINE = 4096;

function folderOf(line: string): string | undefined {
  if (line.length > MAX_PATH_LINE || !PATH_LINE.test(line)) return undefined;
  return line.slice(0, line.lastIndexOf('/') + 1);
}

export function groupPaths(lines: readonly string[]): string[] {
  const out: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const folder = folderOf(lines[index]);
    let end = index + 1;
    if (folder !== undefined) while (end < lines.length && folderOf(lines[end]) === folder) end++;
    if (folder !== undefined && end - index >= MIN_GROUP) {
      const names = lines.slice(index, end).map((line) => line.slice(folder.length));
      out.push(`${folder}{${names.join(',')}}`);
    } else {
      const line = lines[index];
      out.push(line.length <= MAX_PATH_LINE && LONG_LISTING.test(line) ? line.replace(/ {2,}/g, ' ') : line);
      end = index + 1;
    }
    index = end;
  }
  return out;
}
