/** The openai SDK's own stream accumulation, so translated chunks are checked the way clients read them. */
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import type { ChatCompletion as SdkCompletion } from 'openai/resources/chat/completions';
import type { ChatCompletionChunk } from '../../../../lib/openai-types';

export type { SdkCompletion };

export async function accumulate(chunks: ChatCompletionChunk[]): Promise<SdkCompletion> {
  const text = chunks.map((c) => JSON.stringify(c) + '\n').join('');
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  const final = await ChatCompletionStream.fromReadableStream(stream).finalChatCompletion();
  // The SDK adds `parsed` (its structured-output helper); not part of the wire message.
  for (const choice of final.choices) delete (choice.message as { parsed?: unknown }).parsed;
  return final as SdkCompletion;
}
