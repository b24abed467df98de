/**
 * Mustache source → a tree of nodes, once per template version (the compiled form is what a
 * plugin caches). One left-to-right pass over the source with `indexOf` and an explicit section
 * stack: linear in the source, no backtracking, no recursion. Supported tags: `{{name}}`,
 * `{{{name}}}` and `{{& name}}` (the same: nothing is escaped), `{{#name}}`, `{{^name}}`,
 * `{{/name}}`, `{{! comment }}`, `{{> partial}}`. Anything else is a syntax error with its line
 * and column, never text passed through: a typo in a prompt should fail when it is saved.
 */
import { MAX_SECTION_NESTING, MAX_TEMPLATE_CHARS } from './bounds';
import { positionOf, syntaxError, TemplateError } from './errors';
import { isTemplateName, parseVariablePath } from './names';

/** A dotted path; empty for `.` (the current context). */
export type VariablePath = readonly string[];

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'variable'; readonly path: VariablePath }
  | { readonly kind: 'section'; readonly path: VariablePath; readonly inverted: boolean; readonly children: readonly TemplateNode[] }
  /** `indent` is the whitespace before a standalone partial tag, put before each of its lines; null inline. */
  | { readonly kind: 'partial'; readonly name: string; readonly indent: string | null };

export interface CompiledTemplate {
  readonly nodes: readonly TemplateNode[];
  /** The partials the source includes directly, each once, in order of first use. */
  readonly partials: readonly string[];
  /** Deepest section nesting in this source (partials not counted). */
  readonly sectionDepth: number;
}

const OPEN = '{{';
const CLOSE = '}}';
const TRIPLE_CLOSE = '}}}';

/** Tags that stand alone on a line remove that whole line (Mustache's standalone rule); variables never do. */
const STANDALONE_SIGILS = new Set(['#', '^', '/', '!', '>']);

interface OpenSection {
  readonly path: VariablePath;
  readonly name: string;
  readonly inverted: boolean;
  readonly offset: number;
  readonly children: TemplateNode[];
  /** The list the section itself goes into once closed. */
  readonly parent: TemplateNode[];
}

function isInlineSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Where the line of a standalone tag begins (its leading whitespace starts there), or -1 when
 * something other than spaces and tabs precedes the tag on its line. `from` is where the text
 * since the previous tag begins: the scan never goes back past it, so each character is scanned
 * back at most once.
 */
function standaloneLineStart(source: string, from: number, tagStart: number): number {
  let index = tagStart - 1;
  while (index >= from && isInlineSpace(source.charCodeAt(index))) index--;
  if (index >= from) return source.charCodeAt(index) === 0x0a ? index + 1 : -1;
  return from === 0 || source.charCodeAt(from - 1) === 0x0a ? from : -1;
}

/** Where the line of a standalone tag ends (after its newline, or at the end), or -1 when more follows on the line. */
function standaloneLineEnd(source: string, tagEnd: number): number {
  let index = tagEnd;
  while (index < source.length && isInlineSpace(source.charCodeAt(index))) index++;
  if (index === source.length) return index;
  if (source.charCodeAt(index) === 0x0a) return index + 1;
  if (source.startsWith('\r\n', index)) return index + 2;
  return -1;
}

function pathOf(source: string, offset: number, name: string, param: string | undefined): VariablePath {
  const path = parseVariablePath(name);
  if (path === undefined) throw syntaxError(source, offset, `Invalid variable name '${name.slice(0, 64)}' in a tag`, param);
  return path;
}

/**
 * Compiles a template source. `param` names the definition field the source came from
 * (`messages.0.content`) in errors. Throws a TemplateError (`template_syntax`).
 */
export function compileTemplate(source: string, param?: string): CompiledTemplate {
  if (source.length > MAX_TEMPLATE_CHARS)
    throw new TemplateError('template_syntax', `The template is ${source.length} characters long, above the limit of ${MAX_TEMPLATE_CHARS}`, { param });
  const root: TemplateNode[] = [];
  const sections: OpenSection[] = [];
  const partials = new Set<string>();
  let sectionDepth = 0;
  let target = root;
  // Where the text not yet emitted begins.
  let cursor = 0;

  const emitText = (end: number): void => {
    if (end > cursor) target.push({ kind: 'text', text: source.slice(cursor, end) });
  };

  for (let open = source.indexOf(OPEN); open >= 0; open = source.indexOf(OPEN, cursor)) {
    const first = source[open + 2];
    const triple = first === '{';
    const sigil = triple || first === '&' || STANDALONE_SIGILS.has(first) ? first : '';
    const contentStart = open + 2 + sigil.length;
    const closing = triple ? TRIPLE_CLOSE : CLOSE;
    const close = source.indexOf(closing, contentStart);
    if (close < 0) throw syntaxError(source, open, `Unclosed tag '${source.slice(open, open + 16)}' (no '${closing}')`, param);
    const tagEnd = close + closing.length;
    const content = source.slice(contentStart, close).trim();
    if (first === '=') throw syntaxError(source, open, 'Set-delimiter tags ({{=...=}}) are not supported', param);
    if (first === '<' || first === '$') throw syntaxError(source, open, 'Template inheritance tags ({{<...}}, {{$...}}) are not supported', param);

    let lineStart = -1;
    let lineEnd = -1;
    if (STANDALONE_SIGILS.has(sigil)) {
      lineStart = standaloneLineStart(source, cursor, open);
      if (lineStart >= 0) lineEnd = standaloneLineEnd(source, tagEnd);
    }
    const standalone = lineStart >= 0 && lineEnd >= 0;
    emitText(standalone ? lineStart : open);
    const next = standalone ? lineEnd : tagEnd;

    switch (sigil) {
      case '!':
        break;
      case '>': {
        if (!isTemplateName(content)) throw syntaxError(source, open, `Invalid partial name '${content.slice(0, 64)}'`, param);
        partials.add(content);
        target.push({ kind: 'partial', name: content, indent: standalone ? source.slice(lineStart, open) : null });
        break;
      }
      case '#':
      case '^': {
        if (sections.length >= MAX_SECTION_NESTING) throw syntaxError(source, open, `Sections nest deeper than ${MAX_SECTION_NESTING} levels`, param);
        const section: OpenSection = {
          path: pathOf(source, open, content, param),
          name: content,
          inverted: sigil === '^',
          offset: open,
          children: [],
          parent: target,
        };
        sections.push(section);
        sectionDepth = Math.max(sectionDepth, sections.length);
        target = section.children;
        break;
      }
      case '/': {
        const section = sections.pop();
        if (section === undefined) throw syntaxError(source, open, `Closing tag '{{/${content.slice(0, 64)}}}' without an open section`, param);
        if (section.name !== content) {
          const opened = positionOf(source, section.offset);
          const what = `Closing tag '{{/${content.slice(0, 64)}}}' does not match section '${section.name}' (opened at line ${opened.line}, column ${opened.column})`;
          throw syntaxError(source, open, what, param);
        }
        section.parent.push({ kind: 'section', path: section.path, inverted: section.inverted, children: section.children });
        target = section.parent;
        break;
      }
      default:
        target.push({ kind: 'variable', path: pathOf(source, open, content, param) });
    }
    cursor = next;
  }
  const unclosed = sections.pop();
  if (unclosed !== undefined) throw syntaxError(source, unclosed.offset, `Section '${unclosed.name}' is never closed; it opens`, param);
  emitText(source.length);
  return { nodes: root, partials: [...partials], sectionDepth };
}
