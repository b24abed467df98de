/**
 * Anthropic SSE events → OpenAI chat.completion.chunk objects, as OpenAI streams them:
 * a first chunk with the role, content / reasoning_content / tool_calls deltas, a chunk with
 * finish_reason. Tool calls are numbered 0, 1, … among tool calls (not by Anthropic's block
 * index, which also counts text and thinking blocks); the first delta of a call carries its
 * index, id, type, name and arguments "", later ones index + argument fragments. A thinking
 * block streams as reasoning_content and, when it ends, comes whole with its signature in
 * `thinking_blocks` (redacted thinking comes there alone), as non-streamed answers carry it.
 * Usage is handed to the relay in the StreamStep (it writes the usage chunk itself): message_start's
 * counts as promptUsage only (never billed: shown to clients that read usage at the start), the
 * billed usage once, at message_delta, whose cumulative counts replace message_start's (never
 * added to them). A stream cut before message_delta has no usage: the relay bills what it delivered.
 */
import type { ChatCompletionChunk, FinishReason, ThinkingBlock, ToolCallDelta } from '../../../../lib/openai-types';
import type { SseEvent } from '../../../../lib/sse';
import { completionId, type StreamStep, type StreamTranslator, type TranslationContext, unreadableEvent } from '../types';
import { streamErrorFor } from './errors';
import { finishReason, tokenUsage } from './response';
import { type AnthropicUsage, JSON_TOOL_NAME } from './wire';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

interface BlockState {
  kind: 'text' | 'thinking' | 'tool' | 'json' | 'other';
  /** Index among tool calls (OpenAI's tool_calls[].index). */
  toolIndex?: number;
  /** Argument text sent so far for this tool call. */
  sent: number;
  /** Input given whole in content_block_start (not Anthropic's habit, but legal). */
  startInput?: string;
  /** A thinking block's text and signature so far: the signed block is sent whole when it ends. */
  thinking?: { text: string; signature: string };
}

interface AnyEvent {
  type?: string;
  index?: number;
  message?: { usage?: Partial<AnthropicUsage> };
  content_block?: { type?: string; id?: string; name?: string; text?: string; thinking?: string; signature?: string; data?: string; input?: unknown };
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; signature?: string; stop_reason?: string | null };
  usage?: Partial<AnthropicUsage>;
  error?: { type?: string; message?: string };
}

export class AnthropicStreamTranslator implements StreamTranslator {
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private jsonMode = false;
  private usage: Partial<AnthropicUsage> = {};
  private started = false;

  constructor(private readonly ctx: TranslationContext) {}

  push(event: SseEvent): StreamStep {
    if (event.data === undefined) return { chunks: [] }; // comment / keep-alive
    let data: AnyEvent;
    try {
      data = JSON.parse(event.data) as AnyEvent;
    } catch {
      return unreadableEvent('anthropic');
    }
    switch (data.type ?? event.event) {
      case 'message_start': {
        const counts = definedCounts(data.message?.usage);
        Object.assign(this.usage, counts);
        const step: StreamStep = { chunks: [this.startChunk()] };
        if (counts.input_tokens !== undefined) step.promptUsage = tokenUsage(this.usage);
        return step;
      }
      case 'content_block_start':
        return { chunks: this.blockStart(data) };
      case 'content_block_delta':
        return { chunks: this.blockDelta(data) };
      case 'content_block_stop':
        return { chunks: this.blockStop(data) };
      case 'message_delta': {
        // message_delta usage is cumulative; counts it omits keep their message_start values.
        Object.assign(this.usage, definedCounts(data.usage));
        const chunks = this.started ? [] : [this.startChunk()];
        const reason = finishReason(data.delta?.stop_reason ?? null, this.jsonMode && this.toolCount === 0);
        if (reason) chunks.push(this.chunk({}, reason));
        return { chunks, usage: tokenUsage(this.usage) };
      }
      case 'message_stop':
        return { chunks: [], done: true };
      case 'error':
        return { chunks: [], error: streamErrorFor(data.error?.type, data.error?.message) };
      default:
        return { chunks: [] }; // ping, and event types added later
    }
  }

  private startChunk(): ChatCompletionChunk {
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  private blockStart(data: AnyEvent): ChatCompletionChunk[] {
    const block = data.content_block ?? {};
    const index = data.index ?? this.blocks.size;
    const out: ChatCompletionChunk[] = this.started ? [] : [this.startChunk()];
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text', sent: 0 });
      if (block.text) out.push(this.chunk({ content: block.text }));
    } else if (block.type === 'thinking') {
      this.blocks.set(index, { kind: 'thinking', sent: 0, thinking: { text: block.thinking ?? '', signature: block.signature ?? '' } });
      if (block.thinking) out.push(this.chunk({ reasoning_content: block.thinking }));
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      this.blocks.set(index, { kind: 'other', sent: 0 });
      out.push(this.thinkingChunk({ type: 'redacted_thinking', data: block.data }));
    } else if (block.type === 'tool_use') {
      const startInput = isNonEmptyObject(block.input) ? JSON.stringify(block.input) : undefined;
      if (block.name === JSON_TOOL_NAME) {
        this.jsonMode = true;
        this.blocks.set(index, { kind: 'json', sent: 0, startInput });
      } else {
        const toolIndex = this.toolCount++;
        this.blocks.set(index, { kind: 'tool', toolIndex, sent: 0, startInput });
        out.push(this.toolChunk({ index: toolIndex, id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: '' } }));
      }
    } else {
      this.blocks.set(index, { kind: 'other', sent: 0 });
    }
    return out;
  }

  private blockDelta(data: AnyEvent): ChatCompletionChunk[] {
    const state = this.blocks.get(data.index ?? -1);
    const delta = data.delta ?? {};
    if (!state) return [];
    if (delta.type === 'text_delta' && state.kind === 'text' && delta.text) return [this.chunk({ content: delta.text })];
    if (delta.type === 'thinking_delta' && state.thinking && delta.thinking) {
      state.thinking.text += delta.thinking;
      return [this.chunk({ reasoning_content: delta.thinking })];
    }
    // Anthropic sends the whole signature in one delta (its SDK assigns it, so does this).
    if (delta.type === 'signature_delta' && state.thinking && typeof delta.signature === 'string') state.thinking.signature = delta.signature;
    if (delta.type === 'input_json_delta' && delta.partial_json) {
      state.sent += delta.partial_json.length;
      if (state.kind === 'tool') return [this.toolChunk({ index: state.toolIndex!, function: { arguments: delta.partial_json } })];
      if (state.kind === 'json') return [this.chunk({ content: delta.partial_json })];
    }
    return []; // citation deltas have no OpenAI counterpart; a signature goes out with its block's end
  }

  /**
   * A signed thinking block goes out whole (unsigned thinking cannot be replayed, so it stays
   * reasoning_content only). A tool call whose input never streamed still needs its arguments:
   * "{}" as OpenAI sends.
   */
  private blockStop(data: AnyEvent): ChatCompletionChunk[] {
    const state = this.blocks.get(data.index ?? -1);
    const signed = state?.thinking;
    if (state && signed?.signature) {
      state.thinking = undefined; // once, however many stops arrive
      return [this.thinkingChunk({ type: 'thinking', thinking: signed.text, signature: signed.signature })];
    }
    if (!state || state.sent > 0 || (state.kind !== 'tool' && state.kind !== 'json')) return [];
    const args = state.startInput ?? '{}';
    state.sent = args.length;
    return state.kind === 'tool' ? [this.toolChunk({ index: state.toolIndex!, function: { arguments: args } })] : [this.chunk({ content: args })];
  }

  private toolChunk(call: ToolCallDelta): ChatCompletionChunk {
    return this.chunk({ tool_calls: [call] });
  }

  private thinkingChunk(block: ThinkingBlock): ChatCompletionChunk {
    return this.chunk({ thinking_blocks: [block] });
  }

  private chunk(delta: Delta, finish: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: completionId(this.ctx.requestId),
      object: 'chat.completion.chunk',
      created: this.ctx.created,
      model: this.ctx.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
  }
}

function definedCounts(usage: Partial<AnthropicUsage> | undefined): Partial<AnthropicUsage> {
  const out: Partial<AnthropicUsage> = {};
  if (!usage) return out;
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    if (typeof usage[key] === 'number') out[key] = usage[key] as number;
  }
  if (usage.output_tokens_details) out.output_tokens_details = usage.output_tokens_details;
  if (usage.cache_creation) out.cache_creation = usage.cache_creation;
  return out;
}

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
