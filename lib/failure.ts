/**
 * Why an upstream attempt failed. The relay's retry policy decides on it, and the shared circuit
 * breakers (lib/routing) count some kinds and not others.
 */
export type FailureKind =
  | 'unreachable'
  | 'timeout'
  | 'rate_limit'
  | 'server'
  /** The stream broke before the first content token: invisible to the client, so retryable. */
  | 'stream_cut'
  /** The provider refused the gateway's credential, or the relay has none: this target is unusable. */
  | 'auth'
  | 'config'
  | 'context_window'
  | 'content_policy'
  /** The caller's own mistake (400, 404, 422 ...): never retried, never failed over. */
  | 'caller';
