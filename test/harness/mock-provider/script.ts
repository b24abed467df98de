// Behaviour scripting: validating MockScripts, the FIFO queue, and which script a request gets.
// Protocol-neutral, so the Anthropic and Gemini dialects can share it.

import type { MockScript } from './types';

type FieldKind = 'number' | 'string' | 'boolean' | 'finish' | 'toolCalls' | 'any' | ReadonlySet<string>;

const FIELDS: Record<keyof MockScript, FieldKind> = {
  tokens: 'number',
  content: 'string',
  ttftMs: 'number',
  tokensPerSecond: 'number',
  finishReason: 'finish',
  cachedTokens: 'number',
  cacheWriteTokens: 'number',
  reasoningTokens: 'number',
  status: 'number',
  retryAfterSeconds: 'number',
  errorBody: 'any',
  hang: 'boolean',
  cutAfterTokens: 'number',
  omitUsage: 'boolean',
  toolCalls: 'toolCalls',
  thinking: 'string',
  streamErrorAfterTokens: 'number',
  streamErrorType: 'string',
  blockReason: 'string',
  blockReasonMessage: 'string',
  geminiFinishReason: 'string',
  contentEncoding: new Set(['gzip', 'deflate', 'br']),
  encodingFault: new Set(['corrupt', 'bomb']),
};

const FINISH = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

/** Checks a script strictly (unknown keys are typos in a test; fail loudly). Throws with a reason. */
export function validateScript(value: unknown): MockScript {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a mock script must be a JSON object');
  }
  for (const [key, v] of Object.entries(value)) {
    const kind = (FIELDS as Record<string, FieldKind | undefined>)[key];
    if (!kind) throw new Error(`unknown mock script field '${key}'`);
    if (v === undefined || kind === 'any') continue;
    const ok =
      typeof kind !== 'string'
        ? typeof v === 'string' && kind.has(v)
        : kind === 'number'
          ? typeof v === 'number' && Number.isFinite(v) && v >= 0
          : kind === 'string'
            ? typeof v === 'string'
            : kind === 'boolean'
              ? typeof v === 'boolean'
              : kind === 'finish'
                ? typeof v === 'string' && FINISH.has(v)
                : Array.isArray(v) && v.every((c) => typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.arguments === 'string');
    if (!ok) throw new Error(`invalid value for mock script field '${key}'`);
  }
  return value as MockScript;
}

export class ScriptQueue {
  private items: MockScript[] = [];
  push(...scripts: MockScript[]): void {
    this.items.push(...scripts.map(validateScript));
  }
  shift(): MockScript | undefined {
    return this.items.shift();
  }
  clear(): void {
    this.items = [];
  }
  get length(): number {
    return this.items.length;
  }
}

export type ScriptSource = 'directive' | 'queue' | 'defaults';

/**
 * First match wins: in-band directive, then the queue, then the defaults. The chosen script is
 * laid over the defaults, so a directive like {"tokens":5} keeps the server's pacing.
 * The queue is only consumed when there is no directive, so directive-driven concurrent tests
 * never steal queued scripts.
 */
export function chooseScript(directive: MockScript | undefined, queue: ScriptQueue, defaults: MockScript): { script: MockScript; source: ScriptSource } {
  if (directive) return { script: { ...defaults, ...directive }, source: 'directive' };
  const queued = queue.shift();
  if (queued) return { script: { ...defaults, ...queued }, source: 'queue' };
  return { script: { ...defaults }, source: 'defaults' };
}

/** Milliseconds between tokens after the first; 0 = unpaced. */
export function interTokenMs(script: MockScript): number {
  const tps = script.tokensPerSecond ?? 0;
  return tps > 0 ? 1000 / tps : 0;
}
