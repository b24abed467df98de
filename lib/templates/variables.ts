/**
 * A request's variables against the template's declarations: bounded first (count, size, depth),
 * then every missing and unexpected name in one error, then every wrong type in one error, then
 * defaults filled in. The result is the view the template renders.
 */
import { jsonValueBound } from '../tokens/json-bound';
import { isObject } from '../validate/checks';
import { valueNestingExceeds } from '../validate/depth';
import { MAX_VARIABLE_DEPTH, MAX_VARIABLES, MAX_VARIABLES_JSON_CHARS } from './bounds';
import { TemplateError } from './errors';
import type { JsonValue, VariableDeclaration } from './model';
import { coerceVariable, expectedKind, kindOf } from './variable-types';

function bounded(given: unknown, param: string): Record<string, unknown> {
  if (given === undefined || given === null) return {};
  if (!isObject(given)) throw new TemplateError('invalid_variables', `'${param}' must be an object of variable names to values`, { param });
  const names = Object.keys(given);
  if (names.length > MAX_VARIABLES) throw new TemplateError('invalid_variables', `'${param}' has ${names.length} variables, above ${MAX_VARIABLES}`, { param });
  // The given object itself is level 1, so a value may nest MAX_VARIABLE_DEPTH levels below it.
  if (valueNestingExceeds(given, MAX_VARIABLE_DEPTH + 1))
    throw new TemplateError('invalid_variables', `A value in '${param}' nests deeper than ${MAX_VARIABLE_DEPTH} levels`, { param });
  if (jsonValueBound(given) > MAX_VARIABLES_JSON_CHARS)
    throw new TemplateError('invalid_variables', `'${param}' is larger than ${MAX_VARIABLES_JSON_CHARS} characters of JSON`, { param });
  return given;
}

/**
 * The view for a render: every declared variable, given or defaulted, coerced to its type.
 * `param` names where the request carried the variables (`prompt.variables`, `properties`).
 * Throws a TemplateError (`invalid_variables`, status 400).
 */
export function resolveVariables(declarations: readonly VariableDeclaration[], given: unknown, param: string): Record<string, JsonValue> {
  const values = bounded(given, param);
  const declared = new Set(declarations.map((declaration) => declaration.name));
  const missing = declarations.filter((declaration) => !Object.hasOwn(values, declaration.name) && declaration.default === undefined).map((d) => d.name);
  const unexpected = Object.keys(values).filter((name) => !declared.has(name));
  if (missing.length > 0 || unexpected.length > 0) {
    const clauses = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `not declared by the template: ${unexpected.map((name) => name.slice(0, 64)).join(', ')}` : '',
    ];
    throw new TemplateError('invalid_variables', `Template variables ${clauses.filter(Boolean).join('; ')}`, {
      param,
      names: [...missing, ...unexpected],
    });
  }
  const view: Record<string, JsonValue> = {};
  const wrong: { name: string; reason: string }[] = [];
  for (const declaration of declarations) {
    if (!Object.hasOwn(values, declaration.name)) {
      view[declaration.name] = declaration.default!;
      continue;
    }
    const value = values[declaration.name] as JsonValue;
    const coerced = coerceVariable(declaration.type, value);
    if (coerced === undefined) wrong.push({ name: declaration.name, reason: `must be ${expectedKind(declaration.type)}, got ${kindOf(value)}` });
    else view[declaration.name] = coerced;
  }
  if (wrong.length > 0) {
    const list = wrong.map(({ name, reason }) => `'${name}' ${reason}`).join('; ');
    throw new TemplateError('invalid_variables', `Template variable ${list}`, { param: `${param}.${wrong[0].name}`, names: wrong.map(({ name }) => name) });
  }
  return view;
}
