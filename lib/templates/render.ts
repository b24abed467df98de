/**
 * Renders a linked template against a view (the request's variables). Logic-less, as Mustache:
 * values are looked up along the context stack; sections repeat over lists, enter objects and
 * show or hide on truthiness. Values are inserted verbatim (see docs/prompt-templates.md): a
 * prompt is not HTML, and HTML-escaping would turn `a < b && "c"` into `a &lt; b &amp;&amp;
 * &quot;c&quot;` in front of the model. A value is never rendered again as a template, so `{{`
 * inside a variable stays text. Bounded: the output size and the number of nodes rendered are
 * capped (a budget shared by every message of one request), and nesting was bounded when linking.
 */

import { isObject } from '../validate/checks';
import { DEFAULT_MAX_EXPANSIONS, DEFAULT_MAX_OUTPUT_CHARS } from './bounds';
import type { TemplateNode, VariablePath } from './compile';
import { TemplateError } from './errors';
import type { LinkedTemplate } from './partials';

export interface RenderLimits {
  /** Characters of output, over all the parts rendered with one budget. */
  readonly maxOutputChars: number;
  /** Nodes rendered (text, variables, partials, and one per section pass). */
  readonly maxExpansions: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxOutputChars: DEFAULT_MAX_OUTPUT_CHARS, maxExpansions: DEFAULT_MAX_EXPANSIONS };

/** What one request may still spend; shared by the messages of a chat template. */
export class RenderBudget {
  private output = 0;
  private expansions = 0;
  constructor(readonly limits: RenderLimits = DEFAULT_RENDER_LIMITS) {}

  spendOutput(chars: number): void {
    this.output += chars;
    if (this.output > this.limits.maxOutputChars)
      throw new TemplateError('render_limit', `The rendered prompt exceeds ${this.limits.maxOutputChars} characters`);
  }

  spendExpansion(): void {
    if (++this.expansions > this.limits.maxExpansions)
      throw new TemplateError('render_limit', `The template expands more than ${this.limits.maxExpansions} times (a section over too long a list?)`);
  }
}

const INDEX = /^[0-9]+$/;

/** Whether a value has a key: own properties only (never `constructor` or `__proto__`), array items by index (not `length`). */
function has(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return INDEX.test(key) && Number(key) < value.length;
  return isObject(value) && Object.hasOwn(value, key);
}

function child(value: unknown, key: string): unknown {
  return has(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Mustache's lookup: the first name along the context stack (innermost first) in a context that
 * has it, the rest of a dotted path inside that value only.
 */
function lookup(stack: readonly unknown[], path: VariablePath): unknown {
  if (path.length === 0) return stack[stack.length - 1];
  let value: unknown;
  for (let index = stack.length - 1; index >= 0; index--)
    if (has(stack[index], path[0])) {
      value = child(stack[index], path[0]);
      break;
    }
  for (let index = 1; index < path.length && value !== undefined; index++) value = child(value, path[index]);
  return value;
}

/**
 * Falsey for sections: missing, null, false, the empty string and the empty list. Zero is
 * truthy: a number is data ("0 items") rather than a switch.
 */
function isFalsey(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Text for an interpolated value: strings as they are, numbers and booleans as JSON writes them, objects and lists as compact JSON. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * The output: parts appended, and Mustache's partial indentation. After a newline of template
 * text the next write starts with the indentation of the partials it is inside (a newline inside
 * an interpolated value does not: the value is data, not template lines).
 */
class Output {
  readonly parts: string[] = [];
  indent = '';
  atLineStart = false;
  constructor(private readonly budget: RenderBudget) {}

  private append(text: string): void {
    if (text.length === 0) return;
    if (this.atLineStart) {
      this.atLineStart = false;
      if (this.indent.length > 0) this.append(this.indent);
    }
    this.budget.spendOutput(text.length);
    this.parts.push(text);
  }

  value(text: string): void {
    this.append(text);
  }

  templateText(text: string): void {
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      this.append(text.slice(start, newline + 1));
      this.atLineStart = true;
      start = newline + 1;
    }
    this.append(text.slice(start));
  }
}

function renderNodes(nodes: readonly TemplateNode[], stack: unknown[], linked: LinkedTemplate, output: Output, budget: RenderBudget): void {
  for (const node of nodes) {
    budget.spendExpansion();
    switch (node.kind) {
      case 'text':
        output.templateText(node.text);
        break;
      case 'variable':
        output.value(textOf(lookup(stack, node.path)));
        break;
      case 'section': {
        const value = lookup(stack, node.path);
        if (node.inverted) {
          if (isFalsey(value)) renderNodes(node.children, stack, linked, output, budget);
        } else if (Array.isArray(value)) {
          for (const item of value) {
            budget.spendExpansion();
            stack.push(item);
            renderNodes(node.children, stack, linked, output, budget);
            stack.pop();
          }
        } else if (!isFalsey(value)) {
          stack.push(value);
          renderNodes(node.children, stack, linked, output, budget);
          stack.pop();
        }
        break;
      }
      case 'partial': {
        const outer = output.indent;
        if (node.indent !== null) {
          output.indent = outer + node.indent;
          output.atLineStart = true;
        }
        renderNodes(linked.partials.get(node.name)!.nodes, stack, linked, output, budget);
        output.indent = outer;
        break;
      }
    }
  }
}

/**
 * Renders one linked template. `budget` is shared across the parts of one request; without one,
 * the default limits apply to this render alone. Throws a TemplateError (`render_limit`).
 */
export function renderLinked(linked: LinkedTemplate, view: Readonly<Record<string, unknown>>, budget = new RenderBudget()): string {
  const output = new Output(budget);
  renderNodes(linked.root.nodes, [view], linked, output, budget);
  return output.parts.join('');
}
