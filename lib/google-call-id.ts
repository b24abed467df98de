/**
 * The id the gateway gives a Gemini functionCall that carries none (Gemini matches responses to
 * calls by name and order; OpenAI and Anthropic need ids): `call_<n>`, n counting the request's
 * function calls from 0. The Google client format assigns it; the prompt bound counts it.
 */
export function googleCallId(n: number): string {
  return `call_${n}`;
}
