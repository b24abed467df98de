/** An answer in OpenAI's error shape, thrown by validation and routes and rendered by the server. */
import { type OpenAIErrorBody, openAIError } from '../../lib/openai-error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): OpenAIErrorBody {
    return openAIError(this.status, this.message, this.code, this.param);
  }
}

export const badRequest = (param: string | null, message: string, code = 'invalid_value'): ApiError => new ApiError(400, message, code, param);
export const notFound = (what: string, id: string): ApiError => new ApiError(404, `${what} ${id} not found`, `${what}_not_found`);
export const conflict = (message: string, param: string | null = null, code = 'conflict'): ApiError => new ApiError(409, message, code, param);
