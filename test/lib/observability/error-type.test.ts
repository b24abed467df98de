import { errorTypeOf, errorTypeOfFailure } from '../../../lib/observability/error-type';

test.each([
  [200, null, null],
  [400, 'invalid_json', 'caller'],
  [401, 'invalid_api_key', 'caller'],
  [404, 'model_not_found', 'caller'],
  [413, 'request_too_large', 'caller'],
  [429, 'rate_limit_exceeded', 'policy'],
  [429, 'budget_exceeded', 'policy'],
  [403, 'model_not_allowed', 'policy'],
  [429, 'some_new_limit', 'policy'],
  [503, 'auth_unavailable', 'gateway'],
  [500, null, 'gateway'],
  [502, 'upstream_error', 'provider'],
  [504, 'upstream_timeout', 'provider'],
  [502, 'upstream_auth_failed', 'gateway'],
  [429, 'upstream_rate_limited', 'provider'],
  [400, 'constructor', 'caller'],
] as const)('status %i code %s is on the %s', (status, code, expected) => {
  expect(errorTypeOf(status, code)).toBe(expected);
});

test('upstream failures: the caller for its own mistakes, the gateway for credentials, else the provider', () => {
  expect(errorTypeOfFailure('caller')).toBe('caller');
  expect(errorTypeOfFailure('context_window')).toBe('caller');
  expect(errorTypeOfFailure('auth')).toBe('gateway');
  expect(errorTypeOfFailure('server')).toBe('provider');
  expect(errorTypeOfFailure('timeout')).toBe('provider');
  expect(errorTypeOfFailure('stream_cut')).toBe('provider');
});
