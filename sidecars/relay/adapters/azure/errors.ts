/** Azure's errors: OpenAI's mapping, plus its content filter, deployment and status-code specifics. */
import { gatewayError } from '../../../../lib/errors';
import { mapUpstreamError } from '../openai/errors';
import type { MappedError } from '../types';

interface AzureErrorFields {
  code?: unknown;
  innererror?: { code?: unknown };
}

function azureErrorFields(bodyText: string): AzureErrorFields {
  try {
    const err = (JSON.parse(bodyText) as { error?: unknown }).error;
    return typeof err === 'object' && err !== null ? (err as AzureErrorFields) : {};
  } catch {
    return {};
  }
}

/** OpenAI's mapping (openai/errors.ts), plus Azure's content filter, deployment and retry-after-ms. */
export function mapAzureError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError {
  const fields = azureErrorFields(bodyText);
  const code = typeof fields.code === 'string' ? fields.code : null;
  const inner = typeof fields.innererror?.code === 'string' ? fields.innererror.code : null;
  // Azure sends retry-after-ms too; whole seconds, rounded up, when retry-after is missing.
  const retryMs = Number(headers['retry-after-ms']);
  const retryAfter = headers['retry-after'] ?? (Number.isFinite(retryMs) && retryMs > 0 ? String(Math.ceil(retryMs / 1000)) : undefined);
  const base = mapUpstreamError(status, bodyText, retryAfter, 'azure');
  const mapped: MappedError = { ...base, kind: 'server' };
  // Azure puts the HTTP status in `code` ("429"); OpenAI's codes are words.
  if (mapped.code !== null && /^\d+$/.test(mapped.code)) mapped.code = status === 429 ? 'rate_limit_exceeded' : null;

  if (code === 'content_filter' || inner === 'ResponsibleAIPolicyViolation') mapped.kind = 'content_policy';
  else if (code === 'context_length_exceeded') mapped.kind = 'context_window';
  else if (code === 'DeploymentNotFound') {
    // The deployment is the gateway's configuration, not the caller's mistake.
    return { ...gatewayError(502, `The provider (azure) has no such deployment: ${base.message}`, 'upstream_error'), kind: 'server' };
  } else if (status === 429) mapped.kind = 'rate_limit';
  else if (status === 401 || status === 403) mapped.kind = 'auth';
  else if (status === 504 || status === 408) mapped.kind = 'timeout';
  else if (mapped.status < 500) mapped.kind = 'caller';
  return mapped;
}
