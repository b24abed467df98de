/** Request bodies and contexts shared by the router's tests. */
import type { FeatureContext, RequestFeatures } from '../../../lib/router/features';
import { requestFeatures } from '../../../lib/router/features';

export const CONTEXT: FeatureContext = { headers: {}, keyMetadata: {}, teamMetadata: {}, stream: false };

export function chatFeatures(text: string, extra: Record<string, unknown> = {}, context: Partial<FeatureContext> = {}): RequestFeatures {
  return requestFeatures({ model: 'auto', messages: [{ role: 'user', content: text }], ...extra }, 'openai', { ...CONTEXT, ...context });
}
