/**
 * The grammars of names: templates and partials, labels, versions, declared variables, and the
 * dotted variable paths tags use. Each is one character class with a length bound (linear to test).
 */
import { MAX_NAME_LENGTH, MAX_VARIABLE_NAME_LENGTH, MAX_VERSION } from './bounds';

/** Templates and partials: `support-triage`, `support/triage.v2`; a letter or digit first. */
const TEMPLATE_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_./-]{0,${MAX_NAME_LENGTH - 1}}$`);
/** Labels start with a letter, so a label can never be read as a version number. */
const LABEL_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** A version number as a string: a positive integer without leading zeros, within MAX_VERSION. */
const VERSION_STRING = /^[1-9][0-9]{0,8}$/;
/** Declared variables: what a JSON key and a Mustache path segment both take without quoting. */
const VARIABLE_NAME = new RegExp(`^[A-Za-z_][A-Za-z0-9_-]{0,${MAX_VARIABLE_NAME_LENGTH - 1}}$`);
/** One segment of a tag's dotted path: a variable name, a key inside a JSON value, or an array index. */
const PATH_SEGMENT = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_VARIABLE_NAME_LENGTH}}$`);

/** The label a request without a version or label selects (falling back to the latest version). */
export const DEFAULT_LABEL = 'production';
/** A reserved label: always the newest version. */
export const LATEST_LABEL = 'latest';

export function isTemplateName(name: string): boolean {
  return TEMPLATE_NAME.test(name);
}

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** The version a string names, or undefined when it is not a version number. */
export function parseVersionNumber(text: string): number | undefined {
  if (!VERSION_STRING.test(text)) return undefined;
  const version = Number(text);
  return version <= MAX_VERSION ? version : undefined;
}

/** A tag's path: `.` is the current context (an empty path), `a.b.0` three segments; undefined when malformed. */
export function parseVariablePath(text: string): readonly string[] | undefined {
  if (text === '.') return [];
  if (text.length > MAX_NAME_LENGTH) return undefined;
  const segments = text.split('.');
  return segments.every((segment) => PATH_SEGMENT.test(segment)) ? segments : undefined;
}

/** Labels an administrator may point at a version: any label name except the reserved `latest`. */
export function isAssignableLabel(name: string): boolean {
  return isLabelName(name) && name !== LATEST_LABEL;
}
