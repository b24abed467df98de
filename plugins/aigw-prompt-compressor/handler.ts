/**
 * aigw-prompt-compressor: shrinks the latest turn's long user text and tool results (chat,
 * messages, Responses and Google GenAI bodies alike) through the inference sidecar before
 * aigw-proxy plans, reserves and signs the request. An optimisation, so
 * it fails open: sidecar down, deadline passed, any error → the original body goes on, with one
 * log line and the outcome counted by the relay (it travels in the identity and the signed plan).
 */
import { COMPRESSION_HEADER, compressionFailedHeader, compressionSavingsHeader } from '../../lib/compression/header';
import type { CompressionReport } from '../../lib/compression/report';
import { conversationFormatOf } from '../../lib/endpoints';
import { IDENTITY_CTX_KEY, type RequestIdentity, restoreIdentity } from '../../lib/identity';
import { pluginLog } from '../../lib/kong/log';
import type { Kong } from '../../lib/kong/pdk';
import { PluginTrace, pluginTracing } from '../../lib/observability/plugin-trace';
import { countTextTokens } from '../../lib/tokens';
import { parseJsonBody } from '../../lib/validate';
import type { CompressAnswer, CompressCall, CompressClient } from './compress-client';
import type { PromptCompressorConfig } from './config';
import { numbersSurviveJson } from './json-numbers';
import type { Piece } from './markers';
import { compressorMetrics } from './metrics';
import { type CompressibleRole, selectText, type TextSlot } from './parts';

/** About four characters per token: enough to decide whether to call at all and how long to wait. */
const CHARS_PER_TOKEN = 4;
/** A floor under the deadline: the loopback round trip itself. */
const DEADLINE_FLOOR_MS = 20;

/** One method's share of the work: the pieces it compresses, in order. */
interface Batch {
  method: string;
  pieces: Piece[];
}

export class PromptCompressorHandler {
  private readonly roles: ReadonlySet<CompressibleRole>;

  constructor(
    private readonly config: PromptCompressorConfig,
    private readonly client: CompressClient,
  ) {
    this.roles = new Set(config.roles);
  }

  private readonly tracing = pluginTracing('aigw-prompt-compressor');

  async access(kong: Kong): Promise<void> {
    const startedAt = Date.now();
    let identity: RequestIdentity | undefined;
    try {
      // Short bodies (most requests) cost one round trip: the key plugin's identity has the length.
      identity = restoreIdentity(await kong.ctx.shared.get(IDENTITY_CTX_KEY));
      await this.compress(kong, identity);
    } catch (error) {
      // Never fails the request: whatever went wrong, the original body is still the request's.
      compressorMetrics().failedOpen('error');
      await pluginLog(kong, 'aigw-prompt-compressor', 'warn', 'failed open: the original prompt was sent', { error });
    }
    // Its time as a span under aigw-virtual-key's (from the identity: no PDK call).
    PluginTrace.start(this.tracing, 'aigw-prompt-compressor', identity?.traceparent, startedAt)?.end(null);
  }

  private async compress(kong: Kong, identity: RequestIdentity | undefined): Promise<void> {
    const length = identity ? identity.contentLength : Number(await kong.request.getHeader('content-length'));
    // A token is at least one byte: a shorter body cannot reach min_tokens.
    if (length !== null && Number.isFinite(length) && length < this.config.min_tokens) return;
    const format = conversationFormatOf(await kong.request.getPath());
    if (!format) return;
    const max = this.config.max_request_body_bytes;
    const raw = await kong.request.getRawBody(max);
    if (!raw || raw.length > max) return;
    const text = Buffer.from(raw).toString('utf8');
    const parsed = parseJsonBody(text);
    // aigw-proxy refuses what does not parse; a body whose numbers would not survive is left whole.
    if (!parsed.ok || !numbersSurviveJson(text)) return;
    const selection = selectText(format, parsed.value, this.roles);
    const batches = this.batchesOf(selection.slots);
    const chars = batches.reduce((sum, batch) => sum + batch.pieces.reduce((n, piece) => n + piece.text.length, 0), 0);
    const markersRemoved = selection.slots.some((slot) => slot.marked);
    if (chars / CHARS_PER_TOKEN < this.config.min_tokens) {
      if (markersRemoved) await this.rewrite(kong, parsed.value, selection.slots);
      return;
    }
    const deadlineMs = Math.min(
      this.config.deadline_ms_max,
      Math.max(DEADLINE_FLOOR_MS, (chars / CHARS_PER_TOKEN / 1000) * this.config.deadline_ms_per_1k_tokens),
    );
    const answers = await Promise.all(batches.map((batch) => this.client.compress(this.callFor(batch, selection.question), deadlineMs)));
    const methods = batches.map((batch) => batch.method);
    const failure = answers.find((answer): answer is Extract<CompressAnswer, { ok: false }> => !answer.ok);
    if (failure) {
      compressorMetrics().sidecarFailed();
      await pluginLog(kong, 'aigw-prompt-compressor', 'warn', 'failed open: the original prompt was sent', { reason: failure.reason });
      if (markersRemoved) await this.rewrite(kong, parsed.value, selection.slots);
      await this.report(kong, identity, { methods, outcome: 'failed_open', originalTokens: 0, compressedTokens: 0, reason: failure.reason });
      await kong.response.setHeader(COMPRESSION_HEADER, compressionFailedHeader(methods, failure.reason));
      return;
    }
    let originalTokens = 0;
    let compressedTokens = 0;
    for (const [i, answer] of answers.entries()) {
      // One answer per segment, in order: anything else is the sidecar's bug, and the prompt stays whole.
      if (!answer.ok || answer.segments.length !== batches[i]!.pieces.length) throw new Error('the sidecar answered a different number of segments');
      originalTokens += answer.originalTokens;
      compressedTokens += answer.compressedTokens;
    }
    // An emptied part (llmlingua2's context-level filter drops whole contexts) would be an empty
    // message or tool result, which providers refuse: such a part keeps its text, and is counted.
    const replacements = answers.map((answer, i) =>
      batches[i]!.pieces.map((piece, j) => {
        const text = answer.ok ? answer.segments[j]! : piece.text;
        if (text.trim()) return text;
        compressedTokens += countTextTokens(piece.text);
        return piece.text;
      }),
    );
    if (compressedTokens >= originalTokens) {
      if (markersRemoved) await this.rewrite(kong, parsed.value, selection.slots);
      return;
    }
    replacements.forEach((texts, i) => texts.forEach((text, j) => (batches[i]!.pieces[j]!.text = text)));
    await this.rewrite(kong, parsed.value, selection.slots);
    await this.report(kong, identity, { methods, outcome: 'compressed', originalTokens, compressedTokens });
    await kong.response.setHeader(COMPRESSION_HEADER, compressionSavingsHeader(methods, originalTokens, compressedTokens));
  }

  /** User text goes to `method`, tool results to `tool_result_method`; forced ranges follow their role. */
  private batchesOf(slots: TextSlot[]): Batch[] {
    const byMethod = new Map<string, Piece[]>();
    for (const slot of slots) {
      const method = slot.role === 'tool' ? this.config.tool_result_method : this.config.method;
      if (method === 'none') continue;
      const configured = this.roles.has(slot.role);
      for (const piece of slot.pieces) {
        if (piece.mode === 'force' || (piece.mode === 'auto' && configured)) {
          if (!piece.text.trim()) continue;
          const list = byMethod.get(method) ?? [];
          list.push(piece);
          byMethod.set(method, list);
        }
      }
    }
    return [...byMethod].map(([method, pieces]) => ({ method, pieces }));
  }

  private callFor(batch: Batch, question: string): CompressCall {
    const lingua = this.config.llmlingua2;
    return {
      method: batch.method,
      segments: batch.pieces.map((piece) => piece.text),
      rate: this.config.rate,
      targetTokens: this.config.target_tokens ?? 0,
      question,
      model: lingua?.model ?? '',
      forceTokens: lingua?.force_tokens ?? [],
      forceReserveDigit: lingua?.force_reserve_digit ?? true,
      dropConsecutive: lingua?.drop_consecutive ?? true,
      useContextLevelFilter: lingua?.use_context_level_filter ?? false,
    };
  }

  /** Every slot's pieces joined back (markers gone), and the new body handed to Kong. */
  private async rewrite(kong: Kong, body: Record<string, unknown>, slots: TextSlot[]): Promise<void> {
    for (const slot of slots) slot.write(slot.pieces.map((piece) => piece.text).join(''));
    await kong.service.request.setRawBody(JSON.stringify(body));
  }

  /** The outcome rides the identity to aigw-proxy, which signs it into the plan for the relay. */
  private async report(kong: Kong, identity: RequestIdentity | undefined, report: CompressionReport): Promise<void> {
    if (!identity) return;
    await kong.ctx.shared.set(IDENTITY_CTX_KEY, { ...identity, compression: report });
  }
}
