/**
 * The inference sidecar's Embed as lib/guardrails' and lib/router's references and detectors want
 * it (EmbedTexts): a rejection on any failure; a request's call (with a signal) under the
 * plugin's deadline, a reference's (embedded once, in the background, while the model may still
 * be loading) under a longer one.
 */
import type { EmbedTexts } from '../guardrails/similarity';
import { sharedInferenceClient } from './shared-client';

/** Deadline of embedding references, in the background. */
const REFERENCE_DEADLINE_MS = 30_000;

export function sidecarEmbedTexts(address: string, deadlineMs: number): EmbedTexts {
  const client = sharedInferenceClient(address);
  return async (texts, model, signal) => {
    if (!client) throw new Error('address_not_loopback');
    const result = await client.embed(texts, signal ? deadlineMs : REFERENCE_DEADLINE_MS, model);
    if (!result.ok) throw new Error(result.failure.code.toLowerCase());
    return { vectors: result.value.vectors, model: result.value.model };
  };
}
