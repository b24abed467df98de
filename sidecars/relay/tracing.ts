/**
 * The relay's spans: one server span per relayed request, continuing the traceparent aigw-proxy
 * set (its own span), and one client span per upstream attempt under it, with the GenAI
 * semantic-convention attributes. With tracing off `requestTrace` returns null and nothing here
 * runs. Text (prompts, completions) only with AIGW_TRACE_CONTENT=on, bounded.
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayError } from '../../lib/errors';
import { nanoToUsd } from '../../lib/money';
import { errorTypeOf, errorTypeOfFailure, errorTypeOfOutcome } from '../../lib/observability/error-type';
import { GEN_AI, operationNameOf, providerNameOf } from '../../lib/observability/gen-ai';
import { TRACEPARENT_HEADER } from '../../lib/observability/traceparent';
import { type Span, SpanKind, type Tracing } from '../../lib/observability/tracing';
import { TRACE_CONTENT_MAX_CHARS } from '../../lib/observability/tracing-config';
import type { ChatCompletion } from '../../lib/openai-types';
import type { PlanTarget } from '../../lib/plan';
import type { RelayRequest } from './admit';
import type { AttemptWrapper } from './attempt-outcome';
import type { TokenUsage, UsageRecord } from './usage';

const ERROR = 2; // SpanStatusCode.ERROR

/** Text bounded for a span attribute. */
function bounded(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return text.length > TRACE_CONTENT_MAX_CHARS ? `${text.slice(0, TRACE_CONTENT_MAX_CHARS)}…` : text;
}

function setUsage(span: Span, usage: TokenUsage | null): void {
  if (!usage) return;
  span.setAttribute(GEN_AI.inputTokens, usage.promptTokens);
  span.setAttribute(GEN_AI.outputTokens, usage.completionTokens);
  span.setAttribute(GEN_AI.cacheReadInputTokens, usage.cachedTokens);
  if (usage.cacheWriteTokens) span.setAttribute(GEN_AI.cacheCreationInputTokens, usage.cacheWriteTokens);
  span.setAttribute(GEN_AI.reasoningOutputTokens, usage.reasoningTokens);
  if (usage.estimated) span.setAttribute('aigw.usage.estimated', true);
}

function failedSpan(span: Span, errorType: string, status: number, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setAttribute('http.response.status_code', status);
  span.setStatus({ code: ERROR, message });
}

/** One relayed request's spans. */
export class RequestTrace {
  private request: RelayRequest | null = null;
  private attempts = 0;

  constructor(
    private readonly tracing: Tracing,
    private readonly span: Span,
  ) {}

  /** The plan is verified: what it asks for. */
  admitted(request: RelayRequest): void {
    this.request = request;
    const { plan } = request;
    this.span.setAttributes({
      'aigw.request_id': plan.requestId,
      [GEN_AI.operationName]: operationNameOf(plan.endpoint),
      [GEN_AI.requestModel]: plan.model,
      [GEN_AI.requestStream]: request.stream,
      'aigw.endpoint': plan.endpoint,
      'aigw.targets': plan.targets.length,
    });
    if (plan.routing) this.span.setAttribute('aigw.routing.algorithm', plan.routing.algorithm);
    if (this.tracing.content) this.span.setAttribute(GEN_AI.inputMessages, bounded(promptOf(request.clientBody)));
  }

  refused(error: GatewayError): void {
    failedSpan(this.span, errorTypeOf(error.status, error.code) ?? 'gateway', error.status, error.code ?? 'refused');
  }

  /** A span per attempt (child of the request's), with the target, its position and how it ended. */
  attemptSpans(): AttemptWrapper {
    return (next) => async (target, position) => {
      const span = this.attemptSpan(target, position);
      try {
        const outcome = await next(target, position);
        if (outcome.ok) {
          span.setAttributes({ 'aigw.attempt.result': 'ok', [GEN_AI.responseModel]: target.model });
          if (this.request) span.setAttribute('http.response.status_code', this.request.res.statusCode);
          setUsage(span, outcome.value.usage);
        } else {
          const { failure } = outcome;
          span.setAttribute('aigw.attempt.result', failure.kind);
          failedSpan(span, errorTypeOfFailure(failure.kind), failure.error.status, failure.error.code ?? failure.kind);
        }
        return outcome;
      } finally {
        span.end();
      }
    };
  }

  private attemptSpan(target: PlanTarget, position: number): Span {
    const operation = operationNameOf(this.request?.plan.endpoint ?? 'chat.completions');
    this.attempts++;
    return this.tracing.startSpan(`${operation} ${target.model}`, this.span, SpanKind.CLIENT, {
      [GEN_AI.operationName]: operation,
      [GEN_AI.providerName]: providerNameOf(target.provider),
      [GEN_AI.requestModel]: target.model,
      'aigw.provider': target.provider,
      'aigw.target.position': position,
      'aigw.attempt.number': this.attempts,
      'aigw.failover': position > 0,
    })!;
  }

  /** The request's usage record: what the client was billed, by which target, and how it ended. */
  recorded(entry: UsageRecord, answer: ChatCompletion | null): void {
    const span = this.span;
    span.setAttributes({
      [GEN_AI.providerName]: providerNameOf(entry.provider),
      [GEN_AI.responseModel]: entry.providerModel,
      'aigw.outcome': entry.outcome,
      'aigw.attempts': this.attempts,
    });
    setUsage(span, entry.usage);
    if (entry.costNano !== null) span.setAttribute('aigw.cost_usd', nanoToUsd(entry.costNano));
    if (entry.compression) span.setAttribute('aigw.compression.tokens_saved', entry.compression.tokensSaved);
    const errorType = errorTypeOfOutcome(entry.outcome, entry.status);
    if (errorType) failedSpan(span, errorType, entry.status, entry.outcome);
    if (this.tracing.content && answer) span.setAttribute(GEN_AI.outputMessages, bounded(answer.choices.map((c) => c.message)));
  }

  end(status: number): void {
    this.span.setAttribute('http.response.status_code', status);
    this.span.end();
  }
}

/** What a request asks the model, whatever the client's format. */
function promptOf(body: Record<string, unknown>): unknown {
  return body.messages ?? body.input ?? body.contents ?? body.prompt ?? null;
}

/** The request's trace, continuing the traceparent it came with; null when tracing is off. */
export function requestTrace(tracing: Tracing | undefined, req: IncomingMessage, path: string): RequestTrace | null {
  if (!tracing?.enabled) return null;
  const span = tracing.startSpan(`${req.method} ${path}`, req.headers[TRACEPARENT_HEADER] as string | undefined, SpanKind.SERVER, {
    'http.request.method': req.method ?? '',
    'url.path': path,
  });
  return span ? new RequestTrace(tracing, span) : null;
}
