/** Errors in Google's shape (google.rpc.Status as JSON), as the gateway renders them on /v1beta. */
import { errorBody, gatewayError } from '../../lib/errors';
import { googleStatus } from '../../lib/google-error';

describe("Google's error shape", () => {
  it('the HTTP status as code, its canonical name as status, the gateway code as an ErrorInfo reason with the field', () => {
    const error = gatewayError(400, 'Bad value.', 'invalid_value', 'generationConfig.topK');
    expect(errorBody('google', error)).toEqual({
      error: {
        code: 400,
        message: 'Bad value.',
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_VALUE', domain: 'aigw', metadata: { param: 'generationConfig.topK' } },
        ],
      },
    });
  });

  it('a Retry-After travels as RetryInfo, as Google sends its own 429s', () => {
    const error = gatewayError(429, 'Slow down.', 'rate_limit_exceeded', null, { 'retry-after': '7' });
    expect(errorBody('google', error)).toEqual({
      error: {
        code: 429,
        message: 'Slow down.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'aigw', metadata: {} },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
        ],
      },
    });
  });

  it('no details without a code; a provider’s own gRPC status is kept as the status', () => {
    expect(errorBody('google', gatewayError(404, 'Not here.'))).toEqual({ error: { code: 404, message: 'Not here.', status: 'NOT_FOUND' } });
    expect(errorBody('google', gatewayError(400, 'No.', 'FAILED_PRECONDITION'))).toEqual({
      error: { code: 400, message: 'No.', status: 'FAILED_PRECONDITION' },
    });
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [405, 'UNIMPLEMENTED'],
    [413, 'INVALID_ARGUMENT'],
    [418, 'INVALID_ARGUMENT'],
    [500, 'INTERNAL'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
    [599, 'INTERNAL'],
  ])('%i is %s', (status, name) => {
    expect(googleStatus(status)).toBe(name);
  });
});
