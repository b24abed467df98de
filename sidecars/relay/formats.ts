/** Which client format each relayed path speaks. */
import { openAIFormat, type ClientFormat } from './client-format';
import { anthropicClientFormat } from './ingress/anthropic-format';

const FORMATS_BY_PATH: Record<string, ClientFormat> = {
  '/v1/messages': anthropicClientFormat,
};

/** The client's format, from the path it called. */
export function clientFormatFor(path: string): ClientFormat {
  return FORMATS_BY_PATH[path] ?? openAIFormat;
}
