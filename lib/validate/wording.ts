/**
 * Issues worded as each API words them, so clients see familiar errors: OpenAI's
 * ("Invalid type for 'messages[1].tool_calls': expected an array, but got a boolean instead.",
 * param `messages[1].tool_calls`) and Anthropic's pydantic-style ones
 * ("messages.1.content.0.type: Field required").
 */
import type { Issue, JsonKind, Path } from './issue';

export interface Worded {
  message: string;
  param: string | null;
  code: string | null;
}

/** Values are echoed only briefly: a client's 5 MB string does not belong in an error. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function kindOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return `a ${typeof value}`;
}

function listed(values: readonly string[], last: string): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} ${last} ${quoted[quoted.length - 1]}`;
}

// ---- OpenAI ----

const OPENAI_KIND: Record<JsonKind, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
};

/** `messages[1].tool_calls[0].function` */
export function openAIParam(path: Path): string | null {
  let param = '';
  for (const segment of path) param += typeof segment === 'number' ? `[${segment}]` : param === '' ? segment : `.${segment}`;
  return param === '' ? null : param;
}

function openAILength(issue: Extract<Issue, { kind: 'too_short' | 'too_long' }>, param: string): Worded {
  const { what, limit, got } = issue;
  if (what === 'object') {
    return {
      message: `Invalid '${param}': too many properties. Expected an object with at most ${limit} properties, but got ${got} instead.`,
      param,
      code: 'object_above_max_properties',
    };
  }
  const noun = what === 'array' ? 'an array' : 'a string';
  if (issue.kind === 'too_short' && got === 0) {
    return {
      message: `Invalid '${param}': empty ${what}. Expected ${noun} with minimum length ${limit}, but got an empty ${what} instead.`,
      param,
      code: `empty_${what}`,
    };
  }
  const [adjective, bound, code] = issue.kind === 'too_short' ? ['short', 'minimum', 'below_min_length'] : ['long', 'maximum', 'above_max_length'];
  return {
    message: `Invalid '${param}': ${what} too ${adjective}. Expected ${noun} with ${bound} length ${limit}, but got ${noun} with length ${got} instead.`,
    param,
    code: `${what}_${code}`,
  };
}

export function openAIWording(issue: Issue): Worded {
  const param = openAIParam(issue.path);
  const name = param ?? 'body';
  switch (issue.kind) {
    case 'missing':
      return { message: `Missing required parameter: '${name}'.`, param, code: 'missing_required_parameter' };
    case 'type':
      return {
        message: `Invalid type for '${name}': expected ${issue.expected.length > 1 ? 'one of ' : ''}${issue.expected.map((k) => OPENAI_KIND[k]).join(' or ')}, but got ${kindOfValue(issue.got)} instead.`,
        param,
        code: 'invalid_type',
      };
    case 'enum':
    case 'tag':
      return {
        message: `Invalid value for '${name}': '${shown(issue.got)}'. Supported values are: ${listed(issue.allowed, 'and')}.`,
        param,
        code: 'invalid_value',
      };
    case 'below':
    case 'above': {
      const number = issue.integer ? 'integer' : 'decimal';
      const [where, op, code] = issue.kind === 'below' ? ['below minimum', '>=', 'below_min_value'] : ['above maximum', '<=', 'above_max_value'];
      return {
        message: `Invalid '${name}': ${number} ${where} value. Expected a value ${op} ${issue.limit}, but got ${shown(issue.got)} instead.`,
        param,
        code: `${number}_${code}`,
      };
    }
    case 'too_short':
    case 'too_long':
      return openAILength(issue, name);
    case 'rule':
      return { message: param ? `Invalid '${param}': ${issue.message}.` : issue.message, param, code: issue.code };
    case 'unknown':
      return { message: `Unknown parameter: '${name}'.`, param, code: 'unknown_parameter' };
    case 'unsupported':
      return { message: `Unsupported parameter: '${name}' ${issue.reason}.`, param, code: 'unsupported_parameter' };
  }
}

// ---- Anthropic ----

const ANTHROPIC_KIND: Record<JsonKind, string> = {
  string: 'a valid string',
  integer: 'a valid integer',
  number: 'a valid number',
  boolean: 'a valid boolean',
  array: 'a valid list',
  object: 'a valid dictionary or object to extract fields from',
};

/** `messages.1.content.0.type` */
export function anthropicLocation(path: Path): string | null {
  return path.length === 0 ? null : path.join('.');
}

function anthropicText(issue: Issue): string {
  switch (issue.kind) {
    case 'missing':
      return 'Field required';
    case 'type':
      return `Input should be ${issue.expected.map((k) => ANTHROPIC_KIND[k]).join(' or ')}`;
    case 'enum':
      return `Input should be ${listed(issue.allowed, 'or')}`;
    case 'tag':
      return `Input tag '${shown(issue.got)}' found using 'type' does not match any of the expected tags: ${issue.allowed.map((t) => `'${t}'`).join(', ')}`;
    case 'below':
      return `Input should be greater than or equal to ${issue.limit}`;
    case 'above':
      return `Input should be less than or equal to ${issue.limit}`;
    case 'too_short':
    case 'too_long': {
      const bound = issue.kind === 'too_short' ? 'at least' : 'at most';
      const plural = issue.limit === 1 ? '' : 's';
      if (issue.what === 'string') return `String should have ${bound} ${issue.limit} character${plural}`;
      if (issue.what === 'object') return `Dictionary should have ${bound} ${issue.limit} item${plural}`;
      return `List should have ${bound} ${issue.limit} item${plural} after validation, not ${issue.got}`;
    }
    case 'rule':
      return issue.message;
    case 'unknown':
      return 'Extra inputs are not permitted';
    case 'unsupported':
      return `Field ${issue.reason}`;
  }
}

export function anthropicWording(issue: Issue): Worded {
  const location = anthropicLocation(issue.path);
  const text = anthropicText(issue);
  const code = issue.kind === 'rule' ? issue.code : 'invalid_request_error';
  return { message: location ? `${location}: ${text}` : text, param: location, code };
}

// ---- Google ----

/** Proto field types, as Google's JSON decoder names them in its 400s. */
const GOOGLE_KIND: Record<JsonKind, string> = {
  string: 'TYPE_STRING',
  integer: 'TYPE_INT32',
  number: 'TYPE_FLOAT',
  boolean: 'TYPE_BOOL',
  array: 'TYPE_LIST',
  object: 'TYPE_MESSAGE',
};

function googleText(issue: Issue, param: string): string {
  const field = `* GenerateContentRequest.${param}`;
  switch (issue.kind) {
    case 'missing':
      return `${field}: ${String(issue.path[issue.path.length - 1])} is not specified`;
    case 'type':
      // Google quotes a string it could not take.
      return `Invalid value at '${param}' (${issue.expected.map((k) => GOOGLE_KIND[k]).join(' or ')}), ${typeof issue.got === 'string' ? `"${shown(issue.got)}"` : shown(issue.got)}`;
    case 'enum':
    case 'tag':
      return `Invalid value at '${param}', "${shown(issue.got)}": expected ${listed(issue.allowed, 'or')}`;
    case 'below':
      return `${field}: must be at least ${issue.limit}, got ${shown(issue.got)}`;
    case 'above':
      return `${field}: must be at most ${issue.limit}, got ${shown(issue.got)}`;
    case 'too_short':
    case 'too_long': {
      const bound = issue.kind === 'too_short' ? 'at least' : 'at most';
      const unit = issue.what === 'string' ? 'characters' : issue.what === 'object' ? 'entries' : 'items';
      return issue.kind === 'too_short' && issue.got === 0 && issue.what === 'array'
        ? `${field}: must not be empty`
        : `${field}: must have ${bound} ${issue.limit} ${unit}, got ${issue.got}`;
    }
    case 'rule':
      return `${field}: ${issue.message}`;
    case 'unknown':
      return `Invalid JSON payload received. Unknown name "${param}": Cannot find field.`;
    case 'unsupported':
      return `${field}: ${issue.reason}`;
  }
}

/**
 * Google's wording (`* GenerateContentRequest.contents: contents is not specified`,
 * `Invalid value at 'generationConfig.topK' (TYPE_INT32), 1.5`), with the fields named as the
 * client sent them; the gateway's codes are OpenAI's wording's (the error's ErrorInfo reason).
 */
export function googleWording(issue: Issue): Worded {
  const param = openAIParam(issue.path);
  const message =
    param === null ? (issue.kind === 'rule' ? issue.message : 'The request body is not a valid GenerateContentRequest.') : googleText(issue, param);
  return { message, param, code: openAIWording(issue).code };
}
