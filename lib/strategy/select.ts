/**
 * How a request selects a strategy: a model-name prefix (OptiLLM's convention: `bon-gpt-4o`,
 * `bon-3-gpt-4o`, `sc-5-gpt-4o` or `self_consistency-5-gpt-4o`, `moa-gpt-4o`, `re2-gpt-4o`,
 * `plan-gpt-4o`) or the request's `aigw_strategy: { name, n }` field. A configured model whose
 * name merely looks like a prefix is that model, never a strategy (the caller checks first).
 */
import { type GatewayError, gatewayError } from '../errors';
import { STRATEGY_NAMES, type StrategyName } from './plan';

export interface Selection {
  name: StrategyName;
  /** Candidates asked for; null: the route's default. */
  n: number | null;
  /** The model the strategy runs on (the rest of the name, or the body's model). */
  model: string;
}

/** The body field naming a strategy (removed before any provider sees the body). */
export const STRATEGY_FIELD = 'aigw_strategy';

const PREFIXES: ReadonlyArray<readonly [string, StrategyName]> = [
  ['self_consistency-', 'sc'],
  ['bon-', 'bon'],
  ['sc-', 'sc'],
  ['moa-', 'moa'],
  ['re2-', 're2'],
  ['plan-', 'plan'],
];

/** Strategies that take a count (`bon-3-…`). */
const COUNTED: ReadonlySet<StrategyName> = new Set(['bon', 'sc']);

/** The most digits read as a count: anything longer is refused, never parsed into a huge number. */
const MAX_COUNT_DIGITS = 4;

function invalid(message: string): GatewayError {
  return gatewayError(400, message, 'invalid_strategy', 'model');
}

/** The strategy a model name selects; null when it has no strategy prefix. */
export function strategyFromModel(name: string): Selection | GatewayError | null {
  const prefix = PREFIXES.find(([p]) => name.startsWith(p));
  if (!prefix) return null;
  const [text, strategy] = prefix;
  let rest = name.slice(text.length);
  let n: number | null = null;
  const digits = /^(\d+)-/.exec(rest.slice(0, MAX_COUNT_DIGITS + 2));
  if (COUNTED.has(strategy) && /^\d/.test(rest)) {
    if (!digits) return invalid(`The strategy count in \`${name.slice(0, 64)}\` must be 1 to ${MAX_COUNT_DIGITS} digits followed by "-" and a model name.`);
    n = Number(digits[1]);
    rest = rest.slice(digits[0].length);
  }
  if (rest === '' || rest.startsWith('-')) return invalid(`The model name after the strategy prefix \`${text}\` is missing.`);
  return { name: strategy, n, model: rest };
}

/** The model a strategy name runs on, for an allow-list check; null when the name selects no strategy. */
export function strategyBaseModel(name: string): string | null {
  const selected = strategyFromModel(name);
  return selected && !('status' in selected) ? selected.model : null;
}

/** The `aigw_strategy` field: `{ name, n? }`; null when absent. */
export function strategyFromField(value: unknown, model: string): Selection | GatewayError | null {
  if (value === undefined || value === null) return null;
  const bad = gatewayError(
    400,
    `\`${STRATEGY_FIELD}\` must be an object { name: one of ${STRATEGY_NAMES.join(', ')}, n?: integer }.`,
    'invalid_strategy',
    STRATEGY_FIELD,
  );
  if (typeof value !== 'object' || Array.isArray(value)) return bad;
  const { name, n, ...rest } = value as Record<string, unknown>;
  const canonicalName = name === 'self_consistency' ? 'sc' : name;
  if (Object.keys(rest).length > 0 || !STRATEGY_NAMES.includes(canonicalName as StrategyName)) return bad;
  if (n !== undefined && !(Number.isSafeInteger(n) && (n as number) >= 1)) return bad;
  return { name: canonicalName as StrategyName, n: (n as number | undefined) ?? null, model };
}

/**
 * A key's strategies: its metadata's `strategies` (a list of names) limits it to those; absent,
 * the key may use every strategy its route allows. Carried in the identity as a comma-joined
 * string, since an empty list would not survive kong.ctx.shared as a list.
 */
export function keyStrategiesOf(metadata: Record<string, unknown> | null | undefined): string | undefined {
  const listed = metadata?.strategies;
  if (!Array.isArray(listed)) return undefined;
  return listed
    .filter((s): s is string => typeof s === 'string')
    .map((s) => (s === 'self_consistency' ? 'sc' : s))
    .join(',');
}

export function keyAllows(keyStrategies: string | undefined, name: StrategyName): boolean {
  return keyStrategies === undefined || keyStrategies.split(',').includes(name);
}
