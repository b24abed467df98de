/**
 * Wire requests to worker jobs, refused here (INVALID_ARGUMENT, FAILED_PRECONDITION) before they
 * take a queue slot: counts and lengths bounded, methods and models known.
 */
import { COMPRESSION_METHODS } from '../../lib/compression/types';
import type { CompressRequestWire, EmbedRequestWire } from '../../lib/inference/proto';
import type { InferenceConfig } from './config';
import type { ModelKind } from './models/manifest';
import type { CompressJob, EmbedJob, Failure, Job } from './pool/messages';

export interface ModelAvailability {
  kind: ModelKind;
  ok: boolean;
  error?: string;
}

export type Checked<T> = { ok: true; job: T } | ({ ok: false } & Failure);

const FORCE_TOKEN_CHARS_MAX = 64;
export const HOLD_METHOD = '__test_hold';

const invalid = (message: string): { ok: false } & Failure => ({ ok: false, code: 'INVALID_ARGUMENT', message });

function pickModel(
  requested: string,
  fallback: string | null,
  kind: ModelKind,
  models: ReadonlyMap<string, ModelAvailability>,
): { ok: true; id: string } | ({ ok: false } & Failure) {
  const id = requested || fallback || [...models].find(([, m]) => m.kind === kind)?.[0];
  if (!id) return { ok: false, code: 'FAILED_PRECONDITION', message: `no ${kind} model is installed` };
  const model = models.get(id);
  if (!model) return invalid(`unknown model ${id}`);
  // Before the kind: a model refused before its manifest could be read has no trustworthy kind.
  if (!model.ok) return { ok: false, code: 'FAILED_PRECONDITION', message: `model ${id} is unavailable: ${model.error ?? 'it failed to load'}` };
  if (model.kind !== kind) return invalid(`model ${id} is a ${model.kind} model, not ${kind}`);
  return { ok: true, id };
}

export function checkCompress(req: CompressRequestWire, config: InferenceConfig, models: ReadonlyMap<string, ModelAvailability>): Checked<Job> {
  if (config.testHooks && req.method === HOLD_METHOD) return { ok: true, job: { rpc: 'hold' } };
  if (!(COMPRESSION_METHODS as readonly string[]).includes(req.method)) return invalid(`unknown method ${JSON.stringify(req.method.slice(0, 64))}`);
  if (!Number.isFinite(req.rate) || req.rate < 0 || req.rate > 1) return invalid('rate must be in (0, 1], or 0 for the default');
  if (!Number.isInteger(req.target_tokens) || req.target_tokens < 0) return invalid('target_tokens must be >= 0');
  if (req.segments.length === 0) return invalid('segments is empty');
  if (req.segments.length > config.limits.segmentsMax) return invalid(`at most ${config.limits.segmentsMax} segments`);
  if (req.force_tokens.length > config.limits.forceTokensMax) return invalid(`at most ${config.limits.forceTokensMax} force_tokens`);
  if (req.force_tokens.some((t) => t.length === 0 || t.length > FORCE_TOKEN_CHARS_MAX))
    return invalid(`force_tokens must be 1 to ${FORCE_TOKEN_CHARS_MAX} characters`);
  let model = '';
  if (req.method === 'llmlingua2') {
    const picked = pickModel(req.model, config.llmlingua2Model, 'token-classification', models);
    if (!picked.ok) return picked;
    model = picked.id;
  }
  const job: CompressJob = {
    rpc: 'compress',
    method: req.method,
    model,
    segments: req.segments,
    rate: req.rate,
    targetTokens: req.target_tokens,
    question: req.question,
    forceTokens: req.force_tokens,
    forceReserveDigit: req.force_reserve_digit,
    dropConsecutive: req.drop_consecutive,
    useContextLevelFilter: req.use_context_level_filter,
  };
  return { ok: true, job };
}

export function checkEmbed(req: EmbedRequestWire, config: InferenceConfig, models: ReadonlyMap<string, ModelAvailability>): Checked<EmbedJob> {
  if (req.texts.length === 0) return invalid('texts is empty');
  if (req.texts.length > config.limits.embedBatchMax) return invalid(`at most ${config.limits.embedBatchMax} texts per request`);
  if (req.texts.some((t) => t.length > config.limits.embedTextCharsMax)) return invalid(`a text is longer than ${config.limits.embedTextCharsMax} characters`);
  const picked = pickModel(req.model, config.embedModel, 'sentence-embedding', models);
  if (!picked.ok) return picked;
  return { ok: true, job: { rpc: 'embed', model: picked.id, texts: req.texts } };
}
