/**
 * Kept responses, for `previous_response_id`: the relay keeps each answered response's context
 * (the input it was given, earlier context included, and its output, as input items) with the
 * context's PromptShape, for a time; aigw-proxy reads the shape to reserve a budget for the whole
 * context, the relay reads the items to send it. Reads of another tenant's id miss (keys.ts).
 */
import type Redis from 'ioredis';
import { REQUEST_BODY_BYTES_DEFAULT } from '../gateway-defaults';
import { type PromptShape, promptShape } from '../tokens';
import { type ResponseOwner, responseKeys, responseTenant } from './keys';

/**
 * An hour covers an interactive session or an agent's loop, while Redis, which also holds budgets
 * and limits, carries at most an hour of contexts, and prompts rest there no longer than that.
 */
export const RESPONSES_TTL_SECONDS_DEFAULT = 3600;
/** OpenAI keeps responses 30 days: the gateway keeps them no longer. */
export const RESPONSES_TTL_SECONDS_MAX = 30 * 24 * 3600;

/** The largest context kept by default: the body a plugin reads by default. */
export const KEPT_CONTEXT_BYTES_MAX = REQUEST_BODY_BYTES_DEFAULT;

export class ResponseStore {
  constructor(
    private readonly redis: Redis,
    private readonly maxBytes: number = KEPT_CONTEXT_BYTES_MAX,
  ) {}

  /** The kept context's input items, or null when there is none for this tenant (unknown, expired, never kept). */
  async items(owner: ResponseOwner, responseId: string): Promise<Array<Record<string, unknown>> | null> {
    const text = await this.redis.get(responseKeys(responseTenant(owner), responseId).items);
    const items = parsed(text);
    return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : null;
  }

  /** What the kept context adds to a prompt, for the worst case a budget reserves; null when there is none. */
  async shape(owner: ResponseOwner, responseId: string): Promise<PromptShape | null> {
    const shape = parsed(await this.redis.get(responseKeys(responseTenant(owner), responseId).shape));
    return typeof shape === 'object' && shape !== null && !Array.isArray(shape) ? (shape as PromptShape) : null;
  }

  /**
   * Keeps a response's context (input items) for `ttlSeconds`, with its shape, both or neither;
   * false when the context is larger than the store keeps (Redis also holds budgets and limits).
   */
  async keep(owner: ResponseOwner, responseId: string, items: unknown[], ttlSeconds: number): Promise<boolean> {
    const text = JSON.stringify(items);
    if (Buffer.byteLength(text, 'utf8') > this.maxBytes) return false;
    const keys = responseKeys(responseTenant(owner), responseId);
    const shape = promptShape({ input: items }, 'responses');
    await this.redis.multi().set(keys.items, text, 'EX', ttlSeconds).set(keys.shape, JSON.stringify(shape), 'EX', ttlSeconds).exec();
    return true;
  }
}

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
