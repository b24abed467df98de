/**
 * The OpenAI wire format as a ChatAdapter, for the translated path: a client speaking another
 * format (Anthropic's /v1/messages) to an OpenAI-format target. OpenAI clients take the
 * byte-for-byte pass-through instead (passthrough.ts).
 */

import type { ChatCompletion, ChatCompletionChunk } from '../../../../lib/openai-types';
import { takesStreamOptions } from '../../../../lib/providers';
import type { SseEvent } from '../../../../lib/sse';
import { type ChatAdapter, type StreamStep, type StreamTranslator, streamFailure } from '../types';
import { mapUpstreamError } from './errors';
import { openAIUrl } from './passthrough';
import { chunkUsage, usageFromResponse } from './usage';

export const openaiAdapter: ChatAdapter = {
  chatRequest(target, request, apiKey) {
    const stream = request.stream === true;
    const body: Record<string, unknown> = { ...request, model: target.model };
    if (stream && takesStreamOptions(target.provider)) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    return { url: openAIUrl('chat.completions', target), headers, body: JSON.stringify(body) };
  },

  chatResponse(body) {
    const completion = body as ChatCompletion;
    return { completion, usage: usageFromResponse(body) };
  },

  chatStream(): StreamTranslator {
    return {
      push(event: SseEvent): StreamStep {
        if (event.data === undefined) return { chunks: [] };
        if (event.data.trim() === '[DONE]') return { chunks: [], done: true };
        let chunk: ChatCompletionChunk & { error?: { message?: string; type?: string } };
        try {
          chunk = JSON.parse(event.data) as typeof chunk;
        } catch {
          return { chunks: [] };
        }
        if (chunk.error) return { chunks: [], error: streamFailure(`The provider failed mid-stream: ${chunk.error.message ?? 'no error message'}`) };
        const usage = chunkUsage(chunk);
        const step: StreamStep = { chunks: [] };
        if (usage) step.usage = usage;
        if (chunk.choices && chunk.choices.length > 0) {
          const { usage: _usage, ...rest } = chunk;
          void _usage;
          step.chunks.push(rest as ChatCompletionChunk);
        }
        return step;
      },
    };
  },

  mapError: (status, bodyText, headers) => mapUpstreamError(status, bodyText, headers['retry-after'], 'openai'),
};
