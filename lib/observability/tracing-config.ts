/**
 * Whether this process traces, from its environment: off unless asked. `AIGW_TRACING=on` is the
 * gateway's one switch; the standard `OTEL_TRACES_EXPORTER=otlp` turns it on too, `none` and
 * `OTEL_SDK_DISABLED=true` turn it off whatever else is set. Where spans go (endpoint, headers,
 * service name, resource, sampler, batch delays) is read by the OpenTelemetry SDK itself from the
 * standard `OTEL_*` variables.
 */
export const TRACING_ENV = 'AIGW_TRACING';
export const TRACE_CONTENT_ENV = 'AIGW_TRACE_CONTENT';

/** Prompt or completion text kept on a span, per message part, when content tracing is on. */
export const TRACE_CONTENT_MAX_CHARS = 4096;

export interface TracingConfig {
  enabled: boolean;
  /** Prompt and completion text on spans (`AIGW_TRACE_CONTENT=on`); never by default. */
  content: boolean;
}

const ON = new Set(['on', 'true', '1', 'yes']);

function flag(value: string | undefined): boolean {
  return value !== undefined && ON.has(value.trim().toLowerCase());
}

export function tracingConfigFrom(env: NodeJS.ProcessEnv): TracingConfig {
  // A list (`otlp,console`) names several exporters; only OTLP is built here.
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim().toLowerCase());
  const enabled = !flag(env.OTEL_SDK_DISABLED) && !exporters.includes('none') && (flag(env[TRACING_ENV]) || exporters.includes('otlp'));
  return { enabled, content: enabled && flag(env[TRACE_CONTENT_ENV]) };
}
