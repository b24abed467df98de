/** Google GenAI request validation: the shared rules, worded as Google words its 400s, with the field named as sent. */
import { errorBody, gatewayError } from '../../../lib/errors';
import { validateClientRequest } from '../../../lib/validate';

const ok = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('generateContent validation', () => {
  it('accepts the SDK’s shapes, and fields the gateway does not read (they are the provider’s)', () => {
    const body = {
      contents: [
        { parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'c2ln' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 2 } } }, { executableCode: { language: 'PYTHON', code: 'x' } }] },
      ],
      systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }] },
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: true }] }, { googleSearch: {} }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: { temperature: 2, topK: 40, maxOutputTokens: 100, candidateCount: 2, thinkingConfig: { thinkingBudget: -1 }, responseJsonSchema: {} },
      safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/x',
      labels: { any: 'thing' },
    };
    expect(validateClientRequest('generateContent', body)).toEqual({ ok: true, request: { model: '', stream: false } });
  });

  it.each([
    ['no contents', {}, '* GenerateContentRequest.contents: contents is not specified', 'contents'],
    ['empty contents', { contents: [] }, '* GenerateContentRequest.contents: must not be empty', 'contents'],
    ['empty parts', { contents: [{ parts: [] }] }, '* GenerateContentRequest.contents[0].parts: must not be empty', 'contents[0].parts'],
    [
      'a role Gemini has not',
      { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
      `Invalid value at 'contents[0].role', "assistant": expected 'user', 'model' or 'function'`,
      'contents[0].role',
    ],
    [
      'text not a string',
      { contents: [{ parts: [{ text: 5 }] }] },
      "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5",
      'contents[0].parts[0].text',
    ],
    [
      'a call without a name',
      { contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] },
      '* GenerateContentRequest.contents[0].parts[0].functionCall.name: name is not specified',
      'contents[0].parts[0].functionCall.name',
    ],
    ['topK not an integer', { ...ok, generationConfig: { topK: 1.5 } }, "Invalid value at 'generationConfig.topK' (TYPE_INT32), 1.5", 'generationConfig.topK'],
    [
      'temperature above 2',
      { ...ok, generationConfig: { temperature: 2.5 } },
      '* GenerateContentRequest.generationConfig.temperature: must be at most 2, got 2.5',
      'generationConfig.temperature',
    ],
    [
      'maxOutputTokens 0',
      { ...ok, generationConfig: { maxOutputTokens: 0 } },
      '* GenerateContentRequest.generationConfig.maxOutputTokens: must be at least 1, got 0',
      'generationConfig.maxOutputTokens',
    ],
    [
      'a mode Gemini has not',
      { ...ok, toolConfig: { functionCallingConfig: { mode: 'REQUIRED' } } },
      `Invalid value at 'toolConfig.functionCallingConfig.mode', "REQUIRED": expected 'MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE' or 'VALIDATED'`,
      'toolConfig.functionCallingConfig.mode',
    ],
    ['a model in the body of the wrong type', { ...ok, model: 7 }, "Invalid value at 'model' (TYPE_STRING), 7", 'model'],
  ])('%s', (_name, body, message, param) => {
    const result = validateClientRequest('generateContent', body);
    expect(result).toMatchObject({ ok: false, message, param });
  });

  it('a refusal renders in Google’s shape, the gateway’s code and the field in its ErrorInfo', () => {
    const result = validateClientRequest('generateContent', { contents: 'hi' });
    if (result.ok) throw new Error('expected a refusal');
    expect(errorBody('google', gatewayError(400, result.message, result.code, result.param))).toEqual({
      error: {
        code: 400,
        message: 'Invalid value at \'contents\' (TYPE_LIST), "hi"',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_TYPE', domain: 'aigw', metadata: { param: 'contents' } }],
      },
    });
  });

  it('echoes a hostile value briefly, never whole', () => {
    const result = validateClientRequest('generateContent', { contents: [{ parts: [{ text: 'x' }], role: 'u'.repeat(100_000) }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(200);
  });
});
