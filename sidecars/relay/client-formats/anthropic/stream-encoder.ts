/**
 * Canonical OpenAI chunks → Anthropic's SSE event sequence for /v1/messages clients:
 * message_start, then per block content_block_start / content_block_delta… / content_block_stop
 * (text → text_delta, reasoning_content → thinking_delta and a thinking block's signature →
 * signature_delta, redacted thinking → its own block, each tool call → a tool_use block with
 * input_json_delta), then message_delta (stop_reason, usage) and message_stop.
 *
 * message_start's usage is the provider's prompt usage when it reported it before the first
 * chunk (Anthropic's message_start, Gemini's first chunk), else the best count the relay has
 * (`promptTokens`: the gateway's estimate); message_delta carries the final usage.
 *
 * One block is open at a time, as Anthropic streams them. OpenAI-format providers stream a tool
 * call's fragments before the next call starts; should one send a late fragment for a call whose
 * block is already closed, it is still emitted against that block's index rather than dropped
 * (index-addressed accumulators, the Anthropic SDK's included, apply it correctly).
 */
import type { ChatCompletionChunk, ThinkingBlock } from '../../../../lib/openai-types';
import type { AnthropicStopReason } from '../../adapters/anthropic/wire';
import type { TokenUsage } from '../../usage';
import { type AnthropicAnswerContext, anthropicUsage, messageId, stopReason, usageFromOpenAI } from './response';

type BlockKind = 'text' | 'thinking' | 'tool_use';

export interface AnthropicStreamContext extends AnthropicAnswerContext {
  /** Prompt tokens for message_start when the provider has reported none yet; asked at most once. */
  promptTokens?: () => number;
}

function event(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

export class AnthropicStreamEncoder {
  private started = false;
  private finished = false;
  private blockCount = 0;
  private open: { index: number; kind: BlockKind } | null = null;
  /** OpenAI tool-call index → Anthropic block index. */
  private readonly toolBlocks = new Map<number, number>();
  private stop: AnthropicStopReason | null = null;
  private chunkUsage: TokenUsage | null = null;
  /** What the provider reported before message_start went out. */
  private startUsage: TokenUsage | null = null;

  constructor(private readonly ctx: AnthropicStreamContext) {}

  /** Usage the provider reported so far: until message_start is out, its prompt side is what message_start shows. */
  reportedUsage(usage: TokenUsage): void {
    if (!this.started) this.startUsage = usage;
  }

  push(chunk: ChatCompletionChunk): string {
    if (this.finished) return '';
    let out = this.start();
    if (chunk.usage) this.chunkUsage = usageFromOpenAI(chunk.usage);
    // An Anthropic client asks for one choice (Anthropic has no `n`); other choices cannot be expressed.
    const choice = chunk.choices?.find((c) => c.index === 0);
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (delta.reasoning_content) out += this.textLike('thinking', delta.reasoning_content);
    for (const block of delta.thinking_blocks ?? []) out += this.thinkingBlock(block);
    if (delta.content) out += this.textLike('text', delta.content);
    for (const call of delta.tool_calls ?? []) {
      let index = this.toolBlocks.get(call.index);
      if (index === undefined) {
        out += this.closeOpen();
        index = this.blockCount++;
        this.toolBlocks.set(call.index, index);
        this.open = { index, kind: 'tool_use' };
        const id = call.id || `toolu_${this.ctx.requestId.replace(/[^A-Za-z0-9_-]/g, '')}_${call.index}`;
        out += event('content_block_start', { index, content_block: { type: 'tool_use', id, name: call.function?.name ?? '', input: {} } });
      }
      const args = call.function?.arguments;
      if (args) out += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } });
    }
    if (choice.finish_reason) this.stop = stopReason(choice.finish_reason);
    return out;
  }

  /** The end of the stream: close the open block, then message_delta with usage and message_stop. */
  /** `costUsd`: what the answer was charged, in message_delta's usage (as on native streams); undefined leaves it out. */
  finish(usage: TokenUsage | null, costUsd?: number | null): string {
    if (this.finished) return '';
    let out = this.start() + this.closeOpen();
    this.finished = true;
    const u = { ...anthropicUsage(usage ?? this.chunkUsage), ...(costUsd !== undefined ? { cost: costUsd } : {}) };
    out += event('message_delta', { delta: { stop_reason: this.stop ?? 'end_turn', stop_sequence: null }, usage: u });
    out += event('message_stop', {});
    return out;
  }

  /** A failure after the 200 went out: Anthropic's `event: error`. Nothing follows it, and nothing follows message_stop. */
  errorEvent(message: string, type = 'api_error'): string {
    if (this.finished) return '';
    this.finished = true;
    return event('error', { error: { type, message } });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return event('message_start', {
      message: {
        id: messageId(this.ctx),
        type: 'message',
        role: 'assistant',
        model: this.ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: this.startUsage ? anthropicUsage(this.startUsage) : { ...anthropicUsage(null), input_tokens: this.ctx.promptTokens?.() ?? 0 },
      },
    });
  }

  private textLike(kind: 'text' | 'thinking', text: string): string {
    const out = this.openTextLike(kind);
    const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
    return out + event('content_block_delta', { index: this.open!.index, delta });
  }

  /** A text or thinking block, unless one of that kind is open already (closing any other). */
  private openTextLike(kind: 'text' | 'thinking'): string {
    if (this.open?.kind === kind) return '';
    const out = this.closeOpen();
    const index = this.blockCount++;
    this.open = { index, kind };
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return out + event('content_block_start', { index, content_block: block });
  }

  /**
   * A whole thinking block, its text streamed before as reasoning_content: the open thinking block
   * gets its signature and ends (none open, as when no text was streamed, it is written here
   * whole). Redacted thinking is a block of its own.
   */
  private thinkingBlock(block: ThinkingBlock): string {
    if (block.type === 'redacted_thinking') {
      const out = this.closeOpen();
      const index = this.blockCount++;
      return out + event('content_block_start', { index, content_block: block }) + event('content_block_stop', { index });
    }
    let out = '';
    if (this.open?.kind !== 'thinking') out += block.thinking ? this.textLike('thinking', block.thinking) : this.openTextLike('thinking');
    out += event('content_block_delta', { index: this.open!.index, delta: { type: 'signature_delta', signature: block.signature } });
    return out + this.closeOpen();
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const { index } = this.open;
    this.open = null;
    return event('content_block_stop', { index });
  }
}
