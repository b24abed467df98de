/**
 * The /v1/responses client format as the relay's ClientFormat (client-format.ts): the Responses
 * translators behind the interface every client format is rendered through. A response repeats
 * its request's settings, so the relay binds the format to each request (forRequest). Errors
 * are OpenAI's shape.
 */
import { type ClientFormat, openAIFormat } from '../client-format';
import { responsesRequestToChat } from './request';
import { chatCompletionToResponse, type ResponsesAnswerContext, responseEcho } from './response';
import { ResponsesStreamEncoder } from './stream-encoder';

/** The relay's ids are chatcmpl-<requestId>; Responses clients get resp_<requestId>. */
const requestIdOf = (id: string): string => id.replace(/^chatcmpl-/, '');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The format for one request body (validated); `now` gives epoch seconds for completed_at. */
export function responsesFormatFor(body: Record<string, unknown>, now: () => number = nowSeconds): ClientFormat {
  const echo = responseEcho(body);
  const context = (id: string, model: string, createdAt: number): ResponsesAnswerContext => ({ requestId: requestIdOf(id), model, createdAt, echo });
  return {
    name: 'openai',
    toCanonical: responsesRequestToChat,
    // Its canonical form is OpenAI's chat request: what each family takes, as for chat clients.
    forTarget: openAIFormat.forTarget,
    completion: (completion, usage, costUsd) =>
      chatCompletionToResponse(completion, context(completion.id, completion.model, completion.created), usage, costUsd, now()),
    streamEncoder(ctx) {
      const encoder = new ResponsesStreamEncoder(context(ctx.id, ctx.model, ctx.created), now);
      return {
        chunk: (chunk) => encoder.push(chunk),
        finish: (usage, costUsd) => encoder.finish(usage, costUsd),
        error: (error) => encoder.errorEvents(error),
        answer: () => encoder.answer(),
      };
    },
    forRequest: (requestBody) => responsesFormatFor(requestBody, now),
  };
}

export const responsesClientFormat: ClientFormat = responsesFormatFor({});
