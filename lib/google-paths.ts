/**
 * The Google GenAI API's paths (generativelanguage v1beta, as the @google/genai SDK calls them):
 * `/v1beta/models` and `/v1beta/models/{model}` list and describe models, and
 * `/v1beta/models/{model}:generateContent` / `:streamGenerateContent` generate. The model is in
 * the path, not the body. Paths arrive as Kong's router normalised them (dot segments resolved,
 * unreserved escapes decoded); the model name is decoded once more here, so `meta%2Fllama` and
 * the SDK's unescaped `meta/llama` name the same model.
 */
import { decodePathSegment } from './request-target';

export const GOOGLE_API_ROOT = '/v1beta';
const MODELS = `${GOOGLE_API_ROOT}/models`;

export type GooglePath =
  | { kind: 'models' }
  | { kind: 'model'; model: string }
  /** stream: `:streamGenerateContent`, which the gateway answers as server-sent events (`alt=sse`). */
  | { kind: 'generate'; model: string; stream: boolean };

const GENERATE_METHODS: ReadonlyMap<string, boolean> = new Map([
  ['generateContent', false],
  ['streamGenerateContent', true],
]);

export function isGooglePath(path: string): boolean {
  return path === GOOGLE_API_ROOT || path.startsWith(`${GOOGLE_API_ROOT}/`);
}

/**
 * What a Google path asks for, or undefined for any other path. A name may hold `:` (`llama3:8b`):
 * only a known method after the last one makes a method call. The model is returned as the
 * client named it (possibly empty or too long: the caller refuses those).
 */
export function googlePathOf(path: string): GooglePath | undefined {
  if (path === MODELS) return { kind: 'models' };
  if (!path.startsWith(`${MODELS}/`)) return undefined;
  const rest = path.slice(MODELS.length + 1);
  const colon = rest.lastIndexOf(':');
  const stream = colon >= 0 ? GENERATE_METHODS.get(rest.slice(colon + 1)) : undefined;
  if (stream !== undefined) return { kind: 'generate', model: decodePathSegment(rest.slice(0, colon)), stream };
  return { kind: 'model', model: decodePathSegment(rest) };
}
