/**
 * Gemini's models/{model}:countTokens: the generateContent request the gateway would send for the
 * same prompt, as a generateContentRequest (so its system instruction and tools count too; bare
 * `contents` would leave them out), answered {"totalTokens": N, ...}.
 */
import { countIn, isRefused, pickFields, type TokenCountAdapter } from '../types';
import { buildGeminiRequest, geminiApiRoot, modelPath } from './request';

/** What a count reads of a generateContent request; generation settings change no input token. */
const COUNT_FIELDS = ['contents', 'systemInstruction', 'tools', 'toolConfig'];

export const geminiTokenCount: TokenCountAdapter = {
  request(target, request, apiKey) {
    const built = buildGeminiRequest(target, request, apiKey);
    if (isRefused(built)) return built;
    const model = modelPath(target.model);
    const generateContentRequest = { model, ...pickFields(JSON.parse(built.body) as Record<string, unknown>, COUNT_FIELDS) };
    return { url: `${geminiApiRoot(target.baseUrl)}/${model}:countTokens`, headers: built.headers, body: JSON.stringify({ generateContentRequest }) };
  },
  inputTokens: (json) => countIn(json, 'totalTokens'),
};
