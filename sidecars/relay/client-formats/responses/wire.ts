/**
 * OpenAI's Responses API objects as they travel on the wire (snake_case), trimmed to what the
 * gateway writes: the response, its output items and usage. Sources: the API reference and the
 * openai SDK's types (resources/responses/responses.d.ts).
 */

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface SummaryText {
  type: 'summary_text';
  text: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface MessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  content: OutputText[];
  role: 'assistant';
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
}

export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  summary: SummaryText[];
}

export type OutputItem = MessageItem | FunctionCallItem | ReasoningItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** Set by the gateway: what this request was charged, in USD (null: unknown price). */
  cost?: number | null;
  /** Set by the gateway when the provider reported no usage and the gateway counted tokens itself. */
  estimated?: boolean;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: false;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: OutputItem[];
  usage: ResponseUsage | null;
  /** The request's settings, echoed as OpenAI echoes them (ResponseEcho). */
  [setting: string]: unknown;
}
