/**
 * Where benchmark results go. `make bench` writes only to test/bench/raw/ (ignored by git), so
 * a run never changes a tracked file; `make bench-readme` copies the latest run into the tracked
 * snapshots (test/bench/results.json, results.md) and the README's marked sections, to be
 * committed deliberately. A section is the text between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->`, in results.md and in the README alike.
 */
import { join } from 'node:path';

export const BENCH_DIR = join(__dirname);
export const RAW_DIR = join(BENCH_DIR, 'raw');

export interface Section {
  name: string;
  /** Markdown, ending with a newline. */
  body: string;
}

const start = (name: string): string => `<!-- bench:${name}:start -->`;
const end = (name: string): string => `<!-- bench:${name}:end -->`;

export function markedSection(section: Section): string {
  return `${start(section.name)}\n${section.body}${end(section.name)}\n`;
}

/** Every marked section of a text, in order. */
export function sectionsOf(text: string): Section[] {
  const found: Section[] = [];
  for (const m of text.matchAll(/<!-- bench:([a-z0-9-]+):start -->\n([\s\S]*?)<!-- bench:\1:end -->/g)) {
    found.push({ name: m[1]!, body: m[2]! });
  }
  return found;
}

/** `text` with each of `sections` replaced in place; every one must be marked in it. */
export function replaceSections(text: string, sections: Section[]): string {
  let out = text;
  for (const section of sections) {
    const from = out.indexOf(start(section.name));
    const to = out.indexOf(end(section.name));
    if (from < 0 || to < from) throw new Error(`no section ${section.name} (${start(section.name)} ... ${end(section.name)})`);
    out = out.slice(0, from) + markedSection(section).slice(0, -1) + out.slice(to + end(section.name).length);
  }
  return out;
}
