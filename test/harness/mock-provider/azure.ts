// Azure OpenAI's wire format on top of OpenAI's (openai.ts): the api-versions, Azure's error
// bodies, and the content-filter extras Azure adds to OpenAI's objects. Pure functions, no I/O.
// Sources: Azure OpenAI data-plane REST reference (2024-10-21 inference spec) and recorded Azure
// answers in public issues (prompt-filter first chunk, per-choice content_filter_results, the
// content_filter 400 with innererror ResponsibleAIPolicyViolation, 401/404 bodies).

import type { AnswerPlan } from './answer';
import type * as openai from './openai';

/** GA data-plane versions; previews are accepted by pattern (see `isSupportedApiVersion`). */
export const GA_API_VERSIONS = ['2022-12-01', '2023-05-15', '2024-02-01', '2024-06-01', '2024-10-21'];

export function isSupportedApiVersion(v: string): boolean {
  if (GA_API_VERSIONS.includes(v)) return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})-preview$/.exec(v);
  return m !== null && Number(m[1]) >= 2023 && Number(m[1]) <= 2025 && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export interface AzureError {
  error: Record<string, unknown>;
}

export const errors = {
  /** Wrong or missing api-key (Azure sends the same body for both). */
  accessDenied: (): AzureError => ({
    error: {
      code: '401',
      message:
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    },
  }),
  /** No api-version, or a path Azure does not serve. */
  resourceNotFound: (): AzureError => ({ error: { code: '404', message: 'Resource not found' } }),
  apiVersionNotSupported: (): AzureError => ({ error: { code: 'BadRequest', message: 'API version not supported' } }),
  deploymentNotFound: (): AzureError => ({
    error: {
      code: 'DeploymentNotFound',
      message:
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    },
  }),
  rateLimit: (apiVersion: string, retryAfterSeconds: number): AzureError => ({
    error: {
      code: '429',
      message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${apiVersion} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${retryAfterSeconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    },
  }),
  server: (): AzureError => ({
    error: { code: 'InternalServerError', message: 'The service is temporarily unable to process your request. Please try again later.' },
  }),
  /** The prompt tripped the filter: 400, OpenAI's fields plus status and innererror, as Azure sends it. */
  contentFilter: (): AzureError => ({
    error: {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: promptFilterResults(true) },
    },
  }),
};

const safe = () => ({ filtered: false, severity: 'safe' });
const notDetected = () => ({ filtered: false, detected: false });

/** One prompt's filter results; `flagged` marks `sexual` as filtered at medium severity. */
export function promptFilterResults(flagged = false) {
  return {
    hate: safe(),
    jailbreak: notDetected(),
    self_harm: safe(),
    sexual: flagged ? { filtered: true, severity: 'medium' } : safe(),
    violence: safe(),
  };
}

/** A choice's (or a content chunk's) filter results; `filtered` when the answer was cut by the filter. */
export function completionFilterResults(filtered = false) {
  return {
    hate: filtered ? { filtered: true, severity: 'high' } : safe(),
    protected_material_code: notDetected(),
    protected_material_text: notDetected(),
    self_harm: safe(),
    sexual: safe(),
    violence: safe(),
  };
}

export const promptFilterEntry = () => [{ prompt_index: 0, content_filter_results: promptFilterResults() }];

/** Azure serialises its objects with sorted keys. */
function sorted<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  ) as T;
}

function without(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

/** OpenAI's completion as Azure sends it: filter results on each choice and the prompt, no service_tier/annotations. */
export function chatCompletion(obj: ReturnType<typeof openai.chatCompletion>, plans: AnswerPlan[]) {
  const { service_tier: _tier, ...rest } = obj;
  return sorted({
    ...rest,
    choices: obj.choices.map((c, i) =>
      sorted({
        ...c,
        message: sorted(without(c.message as Record<string, unknown>, ['annotations'])),
        content_filter_results: completionFilterResults(plans[i]?.finishReason === 'content_filter'),
      }),
    ),
    prompt_filter_results: promptFilterEntry(),
  });
}

/**
 * A chunk as Azure streams it: every choice carries content_filter_results (the results when the
 * delta has text, `{}` otherwise, as Azure annotates in batches); no service_tier. The usage chunk
 * (choices: []) is passed on as is.
 */
export function chunk(obj: ReturnType<typeof openai.chunk>, plans: AnswerPlan[]) {
  const { service_tier: _tier, ...rest } = obj;
  return sorted({
    ...rest,
    choices: obj.choices.map((c) => {
      const text = typeof c.delta.content === 'string' && c.delta.content !== '';
      const filtered = c.finish_reason === 'content_filter' || (text && plans[c.index]?.finishReason === 'content_filter');
      return sorted({ ...c, content_filter_results: text || filtered ? completionFilterResults(filtered) : {} });
    }),
  });
}

/** The stream's first event: the prompt's filter results, no choices, empty identity fields. */
export const promptFilterChunk = () => ({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: promptFilterEntry() });

/** The body for a scripted status, as Azure answers it. */
export function errorForStatus(
  status: number,
  c: { apiVersion: string; retryAfterSeconds: number; contentFilter: boolean },
  openAIBody: () => openai.OpenAIError,
): { body: unknown; headers?: Record<string, string> } {
  switch (status) {
    case 400:
      // The context-window error passes through from OpenAI's model unchanged.
      return { body: c.contentFilter ? errors.contentFilter() : openAIBody() };
    case 401:
      return { body: errors.accessDenied() };
    case 404:
      return { body: errors.deploymentNotFound() };
    case 429:
      return { body: errors.rateLimit(c.apiVersion, c.retryAfterSeconds), headers: { 'retry-after-ms': String(c.retryAfterSeconds * 1000) } };
    default:
      return { body: status >= 500 ? errors.server() : openAIBody() };
  }
}
