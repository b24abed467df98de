/**
 * Canonical OpenAI chunks → Gemini's `alt=sse` stream for Google GenAI clients of a translated
 * target: one `data:` event of a GenerateContentResponse per chunk that carries content (text,
 * thought parts); function calls whole (Gemini never splits one), gathered by index until their
 * candidate finishes, so a fragment arriving late still lands in its call; and a last event with
 * every candidate's finishReason and the usageMetadata. Gemini sends no terminator: the stream
 * ends there. Candidates are choices, by index.
 */
import { errorBody, type GatewayError } from '../../../../lib/errors';
import type { ChatCompletionChunk, FinishReason, ToolCallDelta } from '../../../../lib/openai-types';
import { sseData } from '../../../../lib/sse';
import type { GeminiPart } from '../../adapters/gemini/request';
import type { TokenUsage } from '../../usage';
import { candidate, functionCallPart, type GeminiCandidate, type GoogleAnswerContext, geminiFinishReason, geminiUsageMetadata } from './response';

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

interface CandidateState {
  /** Function calls by their OpenAI index, until the candidate finishes. */
  calls: Map<number, PendingCall>;
  finish: FinishReason | null;
}

export class GoogleStreamEncoder {
  private readonly candidates = new Map<number, CandidateState>();
  private finished = false;

  constructor(private readonly ctx: GoogleAnswerContext) {}

  push(chunk: ChatCompletionChunk): string {
    if (this.finished) return '';
    const out: GeminiCandidate[] = [];
    for (const choice of chunk.choices ?? []) {
      const state = this.state(choice.index);
      const delta = choice.delta ?? {};
      const parts: GeminiPart[] = [];
      if (delta.reasoning_content) parts.push({ text: delta.reasoning_content, thought: true });
      if (delta.content) parts.push({ text: delta.content });
      for (const fragment of delta.tool_calls ?? []) this.callFragment(state, fragment, choice.index);
      if (choice.finish_reason) {
        state.finish = choice.finish_reason;
        parts.push(...this.closeCalls(state));
      }
      if (parts.length > 0) out.push(candidate(parts, choice.index));
    }
    return out.length > 0 ? this.event(out) : '';
  }

  /** The end of a complete answer: calls still open, every finish reason, and the usage. */
  finish(usage: TokenUsage | null, costUsd?: number | null): string {
    if (this.finished) return '';
    this.finished = true;
    if (this.candidates.size === 0) this.state(0);
    const last = [...this.candidates.entries()].map(([index, state]) => candidate(this.closeCalls(state), index, geminiFinishReason(state.finish) ?? 'STOP'));
    return this.event(last, usage, costUsd);
  }

  /** A failure after the answer began: Google's error object as the last event. */
  errorEvent(error: GatewayError): string {
    if (this.finished) return '';
    this.finished = true;
    return sseData(errorBody('google', error));
  }

  private state(index: number): CandidateState {
    let state = this.candidates.get(index);
    if (!state) this.candidates.set(index, (state = { calls: new Map(), finish: null }));
    return state;
  }

  private callFragment(state: CandidateState, fragment: ToolCallDelta, choice: number): void {
    let call = state.calls.get(fragment.index);
    if (!call)
      state.calls.set(fragment.index, (call = { id: fragment.id || `call_${this.ctx.responseId}_${choice}_${fragment.index}`, name: '', arguments: '' }));
    if (fragment.function?.name) call.name += fragment.function.name;
    if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
  }

  /** The candidate's gathered calls, in index order, as parts; none are kept. */
  private closeCalls(state: CandidateState): GeminiPart[] {
    const calls = [...state.calls.entries()].sort(([a], [b]) => a - b);
    state.calls.clear();
    return calls.map(([, call]) => functionCallPart({ id: call.id, function: { name: call.name, arguments: call.arguments } }));
  }

  /** `costUsd` (the final chunk only): what the answer was charged, as `usageMetadata.cost`. */
  private event(candidates: GeminiCandidate[], usage?: TokenUsage | null, costUsd?: number | null): string {
    return sseData({
      candidates,
      ...(usage ? { usageMetadata: { ...geminiUsageMetadata(usage), ...(costUsd !== undefined ? { cost: costUsd } : {}) } } : {}),
      modelVersion: this.ctx.modelVersion,
      responseId: this.ctx.responseId,
    });
  }
}
