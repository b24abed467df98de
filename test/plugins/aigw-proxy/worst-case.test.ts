/** aigw-proxy's worst case: the prompt bound per target, the output allowance, exact integers. */
import { MAX_BUDGET_NANO } from '../../../lib/money';
import type { PlanTarget } from '../../../lib/plan';
import { catalogPrice, type ModelPrice, worstCaseNano } from '../../../lib/pricing';
import { promptShape, promptTokenBound } from '../../../lib/tokens';
import { MAX_RESERVATION_NANO, tokenTarget, worstCase } from '../../../plugins/aigw-proxy/budget';

function target(provider: PlanTarget['provider'], model: string, pricing: ModelPrice | null = catalogPrice(model)): PlanTarget {
  return { provider, baseUrl: 'https://provider.test', model, credential: null, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, pricing };
}

const body = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: '!'.repeat(2000) }] };

describe('worstCase', () => {
  it('reserves the prompt bound at the dearest prompt rate plus the output allowance, on the dearest target', () => {
    const mini = target('openai', 'gpt-4o-mini');
    const sonnet = target('anthropic', 'claude-sonnet-4-5');
    const shape = promptShape(body, 'chat.completions');
    const expected = Math.max(
      worstCaseNano(promptTokenBound(shape, tokenTarget(mini)), 100, mini.pricing!),
      worstCaseNano(promptTokenBound(shape, tokenTarget(sonnet)), 100, sonnet.pricing!),
    );
    expect(worstCase('chat.completions', [mini, sonnet], body)).toBe(expected);
    // 2,000 "!" are 2,006 tokens at the mock: the reservation covers them.
    expect(worstCase('chat.completions', [mini], body)).toBeGreaterThanOrEqual(worstCaseNano(2006, 100, mini.pricing!));
  });

  it('bills a Responses continuation for its kept context too, and reads max_output_tokens as the output allowance', () => {
    const mini = target('openai', 'gpt-4o-mini');
    const request = { model: 'm', max_output_tokens: 100, input: [{ role: 'user', content: 'Go on.' }] };
    const context = [
      { role: 'user', content: '!'.repeat(2000) },
      { role: 'assistant', content: 'Done.' },
    ];
    const contextShape = promptShape({ input: context }, 'responses');
    const alone = worstCase('responses', [mini], request) as number;
    const continued = worstCase('responses', [mini], request, contextShape) as number;
    // As if the context had been sent in the request itself.
    expect(continued).toBe(worstCase('responses', [mini], { ...request, input: [...context, ...request.input] }));
    expect(continued - alone).toBeGreaterThanOrEqual(worstCaseNano(2000, 0, mini.pricing!));
    expect(alone).toBe(worstCaseNano(promptTokenBound(promptShape(request, 'responses'), tokenTarget(mini)), 100, mini.pricing!));
  });

  it('reads a Google request’s maxOutputTokens and candidateCount, and bounds its prompt like the same chat request', () => {
    const mini = target('openai', 'gpt-4o-mini');
    const google = { contents: [{ role: 'user', parts: [{ text: '!'.repeat(2000) }] }], generationConfig: { maxOutputTokens: 100 } };
    const one = worstCase('generateContent', [mini], google) as number;
    const chat = worstCase('chat.completions', [mini], body) as number;
    // The same text and allowance: within a few tokens of framing of each other.
    expect(Math.abs(one - chat)).toBeLessThanOrEqual(worstCaseNano(10, 0, mini.pricing!));
    const three = worstCase('generateContent', [mini], { ...google, generationConfig: { maxOutputTokens: 100, candidateCount: 3 } }) as number;
    expect(three - one).toBe(worstCaseNano(0, 200, mini.pricing!));
    expect(worstCase('generateContent', [target('vllm', 'private-llm', { input: 1, output: 2 })], { contents: google.contents })).toBe('output_limit');
  });

  it('multiplies the output allowance by n (every choice is billed)', () => {
    const mini = target('openai', 'gpt-4o-mini');
    const one = worstCase('chat.completions', [mini], body) as number;
    const three = worstCase('chat.completions', [mini], { ...body, n: 3 }) as number;
    expect(three - one).toBe(worstCaseNano(0, 200, mini.pricing!));
  });

  it("caps the output allowance at the model's maximum (a provider refuses or stops there)", () => {
    const mini = target('openai', 'gpt-4o-mini');
    const bound = promptTokenBound(promptShape(body, 'chat.completions'), tokenTarget(mini));
    expect(worstCase('chat.completions', [mini], { ...body, max_tokens: 1_000_000 })).toBe(worstCaseNano(bound, 16_384, mini.pricing!));
    expect(worstCase('chat.completions', [mini], { model: 'm', messages: body.messages })).toBe(worstCaseNano(bound, 16_384, mini.pricing!));
  });

  it('has no bound without any output limit: neither the request nor the model sets one', () => {
    const privateModel = target('vllm', 'private-llm', { input: 1, output: 2 });
    expect(worstCase('chat.completions', [privateModel], { model: 'm', messages: body.messages })).toBe('output_limit');
    expect(typeof worstCase('chat.completions', [privateModel], body)).toBe('number');
  });

  it('stays an exact integer: an absurd allowance is clamped above any budget', () => {
    const dear = target('openai', 'dear', { input: 100_000, output: 100_000 });
    const amount = worstCase('chat.completions', [dear], { ...body, max_tokens: 1e300 });
    expect(amount).toBe(MAX_RESERVATION_NANO);
    expect(MAX_RESERVATION_NANO).toBeGreaterThan(MAX_BUDGET_NANO);
    expect(Number.isSafeInteger(MAX_RESERVATION_NANO)).toBe(true);
  });

  it('has no bound when a target has no price, and caps the prompt at the context window', () => {
    expect(worstCase('chat.completions', [target('openai', 'unpriced', null)], body)).toBe('price');
    const pdf = {
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AAAA' } }] }],
    };
    const mini = target('openai', 'gpt-4o-mini');
    expect(worstCase('chat.completions', [mini], pdf)).toBe(worstCaseNano(128_000, 1, mini.pricing!));
  });

  it('reserves nothing for output on embeddings', () => {
    const small = target('openai', 'text-embedding-3-small');
    const input = { model: 'e', input: ['hello world'] };
    expect(worstCase('embeddings', [small], input)).toBe(
      worstCaseNano(promptTokenBound(promptShape(input, 'embeddings'), tokenTarget(small)), 0, small.pricing!),
    );
  });
});
