/**
 * POST /v1/embeddings (EmbeddingCreateParams in the openai SDK): input is a non-empty string, an
 * array of them, a token array, or an array of token arrays; at most 2,048 inputs and 300,000
 * tokens. Input problems name `input` as a whole, as OpenAI's own errors do.
 */
import * as B from './bounds';
import { integer, type JsonObject, oneOf, optional, own, required, string } from './checks';
import { model } from './common';
import { type Path, reject } from './issue';

const INPUT_SHAPE = 'expected a non-empty string, an array of non-empty strings, or token arrays';

function isToken(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= B.MAX_INT32;
}

function isTokenArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.length <= B.MAX_EMBEDDING_TOKENS && value.every(isToken);
}

/** Why `input` is wrong, or null. */
function inputProblem(input: unknown): string | null {
  if (typeof input === 'string') return input.length > 0 ? null : 'empty string';
  if (!Array.isArray(input)) return `got ${typeof input}`;
  if (input.length === 0) return 'empty array';
  if (input.length > B.MAX_EMBEDDING_INPUTS) return `at most ${B.MAX_EMBEDDING_INPUTS} inputs per request, got ${input.length}`;
  if (input.every((item) => typeof item === 'number')) {
    return isTokenArray(input) ? null : `token ids must be integers from 0 to ${B.MAX_INT32}, at most ${B.MAX_EMBEDDING_TOKENS} of them`;
  }
  const bad = input.findIndex((item) => !((typeof item === 'string' && item.length > 0) || isTokenArray(item)));
  return bad < 0 ? null : `item ${bad} is not a non-empty string or token array`;
}

export function checkEmbeddings(body: JsonObject): { model: string; stream: boolean } {
  const path: Path = [];
  required(body, 'model', path, model);
  const input = own(body, 'input');
  if (input === undefined || input === null) reject({ kind: 'missing', path: ['input'] });
  const problem = inputProblem(input);
  if (problem) reject({ kind: 'rule', path: ['input'], message: `${INPUT_SHAPE} (${problem})`, code: 'invalid_value' });
  optional(body, 'dimensions', path, integer(1, B.MAX_EMBEDDING_DIMENSIONS));
  optional(body, 'encoding_format', path, oneOf(['float', 'base64']));
  optional(body, 'user', path, string({ max: B.MAX_ID_LENGTH }));
  return { model: body.model as string, stream: false };
}
