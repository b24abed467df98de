import { waitFor } from './wait-for';

test('a condition that is false keeps the wait going until it holds', async () => {
  let calls = 0;
  const result = await waitFor(() => ++calls >= 3, 2000);
  expect(result).toBe(true);
  expect(calls).toBe(3);
});

test('a condition that never holds times out, naming what was awaited', async () => {
  await expect(waitFor(() => false, 100, 'the impossible')).rejects.toThrow('timed out after 100 ms waiting for the impossible');
});

test('a value is returned as soon as there is one (0 and empty strings count)', async () => {
  expect(await waitFor(() => 0)).toBe(0);
  expect(await waitFor(() => '')).toBe('');
});
