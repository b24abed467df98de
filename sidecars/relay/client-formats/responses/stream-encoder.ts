/**
 * Canonical OpenAI chunks → the Responses API's SSE event sequence for /v1/responses clients:
 * response.created and response.in_progress; per output item response.output_item.added, its
 * content (a message: content_part.added, output_text.delta…, output_text.done,
 * content_part.done; reasoning: reasoning_summary_part.added, reasoning_summary_text.delta…,
 * .done, reasoning_summary_part.done; a function call: function_call_arguments.delta…, .done)
 * and response.output_item.done; then response.completed (or response.incomplete) with usage.
 * Every event carries its sequence_number. A failure after the answer began is an `error` event
 * followed by response.failed.
 *
 * Text and reasoning items close when another kind of output begins; function calls stay open
 * until the answer ends, so a late argument fragment (parallel calls streamed interleaved) still
 * lands on its own item, as OpenAI's SDK accumulates by output_index.
 */
import type { GatewayError } from '../../../../lib/errors';
import type { ChatCompletionChunk, FinishReason, ToolCallDelta } from '../../../../lib/openai-types';
import { toTokenUsage } from '../../adapters/openai/usage';
import type { TokenUsage } from '../../usage';
import { callId, incompleteReason, itemId, type ResponsesAnswerContext, responseObject, responseUsage } from './response';
import type { FunctionCallItem, MessageItem, OutputItem, ReasoningItem, ResponseObject } from './wire';

type TextKind = 'message' | 'reasoning';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class ResponsesStreamEncoder {
  private sequence = 0;
  private started = false;
  private finished = false;
  private readonly output: OutputItem[] = [];
  /** The message or reasoning item being written, by output index. */
  private openText: { index: number; kind: TextKind } | null = null;
  /** Canonical tool-call index → output index, and the calls not yet closed. */
  private readonly calls = new Map<number, number>();
  private readonly openCalls = new Set<number>();
  private finishReason: FinishReason | null = null;
  private chunkUsage: TokenUsage | null = null;

  constructor(
    private readonly ctx: ResponsesAnswerContext,
    private readonly now: () => number = nowSeconds,
  ) {}

  push(chunk: ChatCompletionChunk): string {
    if (this.finished) return '';
    let out = this.start();
    if (chunk.usage) this.chunkUsage = toTokenUsage(chunk.usage);
    // A Responses client gets one answer (the API has no `n`).
    const choice = chunk.choices?.find((c) => c.index === 0);
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (delta.reasoning_content) out += this.text('reasoning', delta.reasoning_content);
    const text = delta.content ?? delta.refusal;
    if (text) out += this.text('message', text);
    for (const call of delta.tool_calls ?? []) out += this.toolCall(call);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  /** The end of a complete answer: every item closed, then response.completed (or .incomplete) with usage and cost. */
  finish(usage: TokenUsage | null, costUsd: number | null): string {
    if (this.finished) return '';
    let out = this.start() + this.closeText() + this.closeCalls();
    this.finished = true;
    const final = usage ?? this.chunkUsage;
    const incomplete = incompleteReason(this.finishReason);
    const response = responseObject(this.ctx, incomplete ? 'incomplete' : 'completed', this.output, final ? responseUsage(final, costUsd) : null, {
      incomplete,
      completedAt: incomplete ? null : this.now(),
    });
    out += this.event(incomplete ? 'response.incomplete' : 'response.completed', { response });
    return out;
  }

  /** A failure after the 200 went out: OpenAI's `error` event, then response.failed; nothing follows. */
  errorEvents(error: GatewayError): string {
    if (this.finished) return '';
    this.finished = true;
    const code = error.code ?? 'server_error';
    const failed = responseObject(this.ctx, 'failed', this.output, null, { error: { code, message: error.message } });
    return this.event('error', { code, message: error.message, param: error.param }) + this.event('response.failed', { response: failed });
  }

  /** The answer as written so far (its id and output items), for keeping it for a continuation. */
  answer(): ResponseObject {
    return responseObject(this.ctx, 'completed', this.output, null);
  }

  private event(type: string, payload: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...payload })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.ctx, 'in_progress', [], null);
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  private text(kind: TextKind, text: string): string {
    let out = '';
    if (this.openText?.kind !== kind) out += this.closeText() + this.closeCalls() + this.openTextItem(kind);
    const index = this.openText!.index;
    const item = this.output[index];
    if (item.type === 'message') {
      item.content[0].text += text;
      return out + this.event('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta: text, logprobs: [] });
    }
    const summary = (item as ReasoningItem).summary[0];
    summary.text += text;
    return out + this.event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: index, summary_index: 0, delta: text });
  }

  private openTextItem(kind: TextKind): string {
    const index = this.output.length;
    this.openText = { index, kind };
    if (kind === 'message') {
      const item: MessageItem = { id: itemId('msg', this.ctx.requestId, index), type: 'message', status: 'in_progress', content: [], role: 'assistant' };
      this.output.push(item);
      const part = { type: 'output_text' as const, annotations: [], logprobs: [], text: '' };
      const added = this.event('response.output_item.added', { output_index: index, item: structuredClone(item) });
      item.content.push(part);
      return added + this.event('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: { ...part } });
    }
    const item: ReasoningItem = { id: itemId('rs', this.ctx.requestId, index), type: 'reasoning', summary: [] };
    this.output.push(item);
    const added = this.event('response.output_item.added', { output_index: index, item: structuredClone(item) });
    item.summary.push({ type: 'summary_text', text: '' });
    return (
      added +
      this.event('response.reasoning_summary_part.added', { item_id: item.id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } })
    );
  }

  private closeText(): string {
    if (!this.openText) return '';
    const { index } = this.openText;
    this.openText = null;
    const item = this.output[index];
    let out = '';
    if (item.type === 'message') {
      const part = item.content[0];
      item.status = this.finishReason === 'length' ? 'incomplete' : 'completed';
      out += this.event('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: [] });
      out += this.event('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part });
    } else if (item.type === 'reasoning') {
      const part = item.summary[0];
      out += this.event('response.reasoning_summary_text.done', { item_id: item.id, output_index: index, summary_index: 0, text: part.text });
      out += this.event('response.reasoning_summary_part.done', { item_id: item.id, output_index: index, summary_index: 0, part });
    }
    return out + this.event('response.output_item.done', { output_index: index, item });
  }

  private toolCall(call: ToolCallDelta): string {
    let out = '';
    let index = this.calls.get(call.index);
    if (index === undefined) {
      out += this.closeText();
      index = this.output.length;
      this.calls.set(call.index, index);
      this.openCalls.add(index);
      const item: FunctionCallItem = {
        id: itemId('fc', this.ctx.requestId, index),
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: call.id || callId(this.ctx.requestId, call.index),
        name: call.function?.name ?? '',
      };
      this.output.push(item);
      out += this.event('response.output_item.added', { output_index: index, item: { ...item } });
    }
    const item = this.output[index] as FunctionCallItem;
    const args = call.function?.arguments;
    if (args) {
      item.arguments += args;
      out += this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: args });
    }
    return out;
  }

  private closeCalls(): string {
    let out = '';
    for (const index of this.openCalls) {
      const item = this.output[index] as FunctionCallItem;
      item.status = 'completed';
      out += this.event('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments });
      out += this.event('response.output_item.done', { output_index: index, item });
    }
    this.openCalls.clear();
    return out;
  }
}
