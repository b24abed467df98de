/** Small helpers shared by the end-to-end tests. */
import { randomBytes } from 'node:crypto';
import type OpenAI from 'openai';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { type Endpoint, type PlanRetry, type PlanTarget, type RoutePlan, sha256Hex, signPlan } from '../../lib/plan';
import { SseParser } from '../../lib/sse';
import type { DevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';

export function requestId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * A key alias or team name no earlier run has taken (both are unique): a remote stack keeps
 * what every run created.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function target(baseUrl: string, credential: string | null, overrides: Partial<PlanTarget['timeouts']> = {}): PlanTarget {
  return {
    provider: 'openai',
    baseUrl,
    model: 'gpt-4o-mini-2024-07-18',
    credential,
    timeouts: { connectMs: 2000, firstByteMs: 5000, idleMs: 5000, totalMs: 20000, ...overrides },
    pricing: { input: 0.15, output: 0.6, cached_read: 0.075 },
  };
}

/** Headers aigw-proxy would set for this body, signed with the given secret; `extra`: more of the plan (a cache fill ...). */
export function signedHeaders(
  body: string,
  t: PlanTarget | PlanTarget[],
  secret: string,
  endpoint: Endpoint = 'chat.completions',
  id = requestId(),
  retry?: PlanRetry,
  extra: Partial<Pick<RoutePlan, 'cache' | 'guardrails' | 'template' | 'billing'>> = {},
): Record<string, string> {
  const plan: RoutePlan = {
    v: 1,
    requestId: id,
    endpoint,
    model: 'gpt-4o-mini',
    targets: Array.isArray(t) ? t : [t],
    retry,
    bodySha256: sha256Hex(body),
    expiresAt: Date.now() + 30_000,
    ...extra,
  };
  const signed = signPlan(plan, secret);
  return { 'content-type': 'application/json', [PLAN_HEADER]: signed.plan, [PLAN_SIGNATURE_HEADER]: signed.signature, [REQUEST_ID_HEADER]: id };
}

/** Reads an SSE response into its data payloads, noting when each arrived. */
export async function readSse(res: Response): Promise<Array<{ data: string; at: number }>> {
  const events: Array<{ data: string; at: number }> = [];
  const parser = new SseParser();
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const event of parser.push(value)) if (event.data !== undefined) events.push({ data: event.data, at: Date.now() });
  }
  return events;
}

/**
 * A request as `GET /admin/requests/{id}` shows it, once logged (rows are written in batches after
 * the answer) and `ready` holds: the request log and the ledger have writers of their own, so a
 * row's `usage` and `cost_usd` (from the ledger) may land after the row (`withLedgerRow`).
 */
export async function loggedRequest(
  stack: Pick<DevStack, 'admin'>,
  id: string,
  ready: (row: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const res = await stack.admin('GET', `/admin/requests/${id}`);
      const row = res.status === 200 ? (res.body as Record<string, unknown>) : undefined;
      return row && ready(row) ? row : undefined;
    },
    10_000,
    `request ${id} in the request log`,
  );
}

/** `loggedRequest`'s `ready` for a billed request: its ledger row has landed too. */
export const withLedgerRow = (row: Record<string, unknown>): boolean => row.usage !== null && row.usage !== undefined;

/** An OpenAI chat stream read whole: its text, and the usage of its last chunk (`include_usage`), if sent. */
export async function readChatStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<{ text: string; usage: OpenAI.CompletionUsage | undefined }> {
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage };
}
