/**
 * One error type for the engine: a code (what went wrong, stable for callers and metrics), the
 * HTTP status a plugin or the control API answers with, the request field at fault (`param`, as
 * OpenAI's errors name it) and, for syntax errors, where in the source.
 */

export type TemplateErrorCode =
  /** The template source does not parse (line and column given). */
  | 'template_syntax'
  /** A partial the template includes does not exist. */
  | 'partial_missing'
  /** Partials include each other in a cycle (the cycle named). */
  | 'partial_cycle'
  /** Partials or sections nest deeper than the bounds. */
  | 'template_nesting'
  /** A template definition (messages, variables, defaults, params) is malformed. */
  | 'invalid_template'
  /** A render exceeded its output size or expansion count. */
  | 'render_limit'
  /** A request's variables: missing, unexpected, of the wrong type, or too large. */
  | 'invalid_variables'
  /** A request's template selection (`prompt` object, `{template://...}` reference) is malformed. */
  | 'invalid_selection'
  /** The selected template, version or label does not exist. */
  | 'template_not_found';

const STATUS_OF: Readonly<Record<TemplateErrorCode, number>> = {
  template_syntax: 400,
  partial_missing: 400,
  partial_cycle: 400,
  template_nesting: 400,
  invalid_template: 400,
  render_limit: 400,
  invalid_variables: 400,
  invalid_selection: 400,
  template_not_found: 404,
};

export interface TemplateErrorDetails {
  /** The request or definition field at fault, dotted (`prompt.variables.count`, `messages.2.content`). */
  param?: string;
  /** 1-based position in the template source, for syntax errors. */
  line?: number;
  column?: number;
  /** Names the message lists (missing and unexpected variables, a partial cycle). */
  names?: readonly string[];
}

export class TemplateError extends Error {
  readonly status: number;
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    readonly details: TemplateErrorDetails = {},
  ) {
    super(message);
    this.name = 'TemplateError';
    this.status = STATUS_OF[code];
  }
}

/** 1-based line and column (UTF-16 units) of an offset: counted once, when an error is raised. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf('\n'); index >= 0 && index < offset; index = source.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** A syntax error at an offset of a source, the position in the message and the details. */
export function syntaxError(source: string, offset: number, what: string, param?: string): TemplateError {
  const { line, column } = positionOf(source, offset);
  return new TemplateError('template_syntax', `${what} at line ${line}, column ${column}`, { line, column, param });
}
