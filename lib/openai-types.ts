/**
 * The gateway's canonical format is OpenAI's chat completions API: every client format is
 * translated to it and every provider adapter translates from it. These are the wire shapes
 * (snake_case, as OpenAI sends them), trimmed to what the gateway reads or writes.
 */

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-caching marker carried through OpenAI format (kept where the target can take it). */
  cache_control?: { type: 'ephemeral'; ttl?: string };
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ContentPart = TextPart | ImagePart | { type: string; [key: string]: unknown };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Anthropic's signed (or redacted) thinking, named as LiteLLM names it, so a client can replay it:
 * on assistant messages (an answer's, or a replayed turn's) and on stream deltas. In a stream each
 * entry is one whole block, sent when the block ends: a thinking block's text went before it as
 * reasoning_content, and is repeated here whole because Anthropic verifies the signature over it.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Reasoning text some providers return (DeepSeek, and our Anthropic/Gemini thinking translation). */
  reasoning_content?: string | null;
}

export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
  cache_control?: { type: 'ephemeral'; ttl?: string };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean | null } };
  user?: string;
  seed?: number | null;
  [key: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number;
    audio_tokens?: number;
    accepted_prediction_tokens?: number;
    rejected_prediction_tokens?: number;
  } | null;
  /** Set by the gateway: what this request was charged, in USD. */
  cost?: number | null;
  /** Set by the gateway when the provider reported no usage and the gateway counted tokens itself. */
  estimated?: boolean;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: string | null;
      tool_calls?: ToolCall[];
      reasoning_content?: string | null;
      thinking_blocks?: ThinkingBlock[];
    };
    logprobs: null;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage;
  system_fingerprint?: string | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      refusal?: string | null;
      tool_calls?: ToolCallDelta[];
      reasoning_content?: string | null;
      thinking_blocks?: ThinkingBlock[];
    };
    logprobs: null;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage | null;
  system_fingerprint?: string | null;
}
