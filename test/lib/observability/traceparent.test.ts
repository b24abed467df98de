import { errorTypeOfOutcome } from '../../../lib/observability/error-type';
import { formatTraceparent, parseTraceparent } from '../../../lib/observability/traceparent';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('a valid traceparent is read, and written back the same', () => {
  const parsed = parseTraceparent(VALID);
  expect(parsed).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
  expect(formatTraceparent(parsed!)).toBe(VALID);
  expect(parseTraceparent([VALID.toUpperCase()])?.sampled).toBe(true);
  expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled).toBe(false);
});

test.each([
  undefined,
  '',
  'garbage',
  '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
  '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
  'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  `${VALID}-extra`,
  `01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'x'.repeat(600)}`,
])('%s is no trace to continue', (header) => {
  expect(parseTraceparent(header)).toBeNull();
});

test('a later version may carry more fields', () => {
  expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more`)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
});

test('relayed outcomes are attributed by who failed', () => {
  expect(errorTypeOfOutcome('ok', 200)).toBeNull();
  expect(errorTypeOfOutcome('client_aborted', 499)).toBe('caller');
  expect(errorTypeOfOutcome('upstream_error', 400)).toBe('caller');
  expect(errorTypeOfOutcome('upstream_error', 429)).toBe('provider');
  expect(errorTypeOfOutcome('upstream_error', 502)).toBe('provider');
  expect(errorTypeOfOutcome('timeout', 504)).toBe('provider');
  expect(errorTypeOfOutcome('stream_interrupted', 200)).toBe('provider');
});
