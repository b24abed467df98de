/**
 * A streamed answer put back together as one canonical completion (content, reasoning, signed
 * thinking blocks, tool calls by index, the finish reason), for the semantic cache to store. Only
 * built when the plan asks for a cache fill, and bounded: past MAX_ASSEMBLED_CHARS the answer is
 * not cacheable.
 */
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ThinkingBlock, ToolCall } from '../../lib/openai-types';

const MAX_ASSEMBLED_CHARS = 1_000_000;

export class CompletionAssembler {
  private id = '';
  private model = '';
  private created = 0;
  private content = '';
  private reasoning = '';
  private readonly thinkingBlocks: ThinkingBlock[] = [];
  private readonly tools = new Map<number, ToolCall>();
  private finish: FinishReason | null = null;
  private size = 0;
  private overflow = false;

  push(chunk: ChatCompletionChunk): void {
    if (this.overflow) return;
    this.id ||= chunk.id;
    this.model ||= chunk.model;
    this.created ||= chunk.created;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      const delta = choice.delta ?? {};
      if (delta.content) this.add(delta.content, (text) => (this.content += text));
      if (delta.reasoning_content) this.add(delta.reasoning_content, (text) => (this.reasoning += text));
      // Each entry is a whole block (lib/openai-types.ts): kept as the non-streamed answer keeps them.
      for (const block of delta.thinking_blocks ?? [])
        if (this.fits(block.type === 'thinking' ? block.thinking.length + block.signature.length : block.data.length)) this.thinkingBlocks.push(block);
      for (const call of delta.tool_calls ?? []) {
        const tool = this.tools.get(call.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
        if (call.id) tool.id = call.id;
        if (call.function?.name) tool.function.name += call.function.name;
        if (call.function?.arguments) this.add(call.function.arguments, (text) => (tool.function.arguments += text));
        this.tools.set(call.index, tool);
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
  }

  /** A raw OpenAI stream event's data (pass-through streams), parsed only here. */
  pushData(data: string): void {
    if (this.overflow || data === '[DONE]') return;
    try {
      this.push(JSON.parse(data) as ChatCompletionChunk);
    } catch {
      // not a chunk (a comment or a provider's extension): nothing to assemble
    }
  }

  /** The whole answer, or null when it never finished or outgrew the bound. */
  completion(): ChatCompletion | null {
    if (this.overflow || !this.finish) return null;
    const toolCalls = [...this.tools.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.content || null,
            refusal: null,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            ...(this.reasoning ? { reasoning_content: this.reasoning } : {}),
            ...(this.thinkingBlocks.length ? { thinking_blocks: this.thinkingBlocks } : {}),
          },
          logprobs: null,
          finish_reason: this.finish,
        },
      ],
    };
  }

  private add(text: string, append: (text: string) => void): void {
    if (this.fits(text.length)) append(text);
  }

  /** Counts `size` characters toward the bound: false once the answer outgrew it. */
  private fits(size: number): boolean {
    this.size += size;
    if (this.size > MAX_ASSEMBLED_CHARS) this.overflow = true;
    return !this.overflow;
  }
}
