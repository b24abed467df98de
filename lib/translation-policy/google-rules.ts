/**
 * The translation policy of POST /v1beta/models/{model}:generateContent (and
 * :streamGenerateContent): every field of a GenerateContentRequest (@google/genai's
 * GenerateContentConfig and GenerationConfig, as the REST body carries them), tool kind, function
 * declaration field and part type, and what becomes of it on each target family. Gemini targets
 * get the request as sent (native pass-through: every feature passes). A field not listed here is
 * refused wherever the request is translated.
 */
import { ANTHROPIC_RULES } from './anthropic-rules';
import { OPENAI_RULES } from './openai-rules';
import { D, everywhere, P, passedOn, R, type Rule, T } from './rules';

/** What the canonical form carries as an OpenAI field: its Anthropic cell is that field's (the adapters treat both alike). */
const asOpenAI = (rule: Rule, note: string): Rule => ({ to: { openai: T, azure: T, anthropic: rule.to.anthropic, gemini: P }, note });

/** Gemini's own: nothing to say elsewhere, dropped and counted. */
const dropped = (note: string, inert?: Rule['inert']): Rule => ({ ...everywhere(D, note), ...(inert ? { inert } : {}) });

/** Only Gemini can serve it. */
const geminiOnly = (note: string): Rule => everywhere(R, note);

const TRANSLATED = {
  model: everywhere(T, 'the path names the model: the target’s, as routed (one in the body is checked, never read)'),
  contents: everywhere(T, 'user and model turns: each part by its own rule'),
  systemInstruction: everywhere(T, 'a system message (text parts only: others are refused by the translation)'),
  tools: everywhere(T, 'each tool by its kind’s rule'),
  safetySettings: dropped('Gemini’s harm-category thresholds: the other providers apply their own moderation'),
  cachedContent: geminiOnly('it names a Gemini context cache'),
  labels: dropped('Vertex billing labels: the gateway’s own usage records apply'),
  serviceTier: dropped('Google’s processing tiers'),
  modelArmorConfig: geminiOnly('a Model Armor screening template only Vertex applies: what it would block would pass'),

  'generationConfig.temperature': everywhere(T, 'temperature: above 1 is clamped for Claude, counted as temperature_above_1'),
  'generationConfig.topP': everywhere(T, 'top_p'),
  // The canonical top_k leaves for each family as an Anthropic client's does (anthropicRequestForTarget).
  'generationConfig.topK': { to: { ...ANTHROPIC_RULES.top_k.to, anthropic: T }, note: 'Claude top_k; OpenAI samples without top-k' },
  'generationConfig.maxOutputTokens': everywhere(T, 'max_completion_tokens; Claude max_tokens'),
  'generationConfig.stopSequences': { ...everywhere(T, 'stop; Claude stop_sequences (OpenAI takes 4: more is its 400)'), inert: [[]] },
  'generationConfig.candidateCount': {
    to: { openai: T, azure: T, anthropic: R, gemini: T },
    note: 'n; Claude answers one candidate',
    inert: [1],
  },
  'generationConfig.seed': asOpenAI(OPENAI_RULES.seed, 'seed; Claude has no seed'),
  'generationConfig.presencePenalty': asOpenAI(OPENAI_RULES.presence_penalty, 'presence_penalty; Claude has no penalties'),
  'generationConfig.frequencyPenalty': asOpenAI(OPENAI_RULES.frequency_penalty, 'frequency_penalty; Claude has no penalties'),
  'generationConfig.responseLogprobs': {
    to: { openai: D, azure: D, anthropic: R, gemini: T },
    note: 'log probabilities are not translated back; Claude returns none',
    inert: [false],
  },
  'generationConfig.logprobs': {
    to: { openai: D, azure: D, anthropic: R, gemini: T },
    note: 'log probabilities are not translated back; Claude returns none',
  },
  'generationConfig.responseMimeType': {
    ...everywhere(T, 'application/json: a JSON response_format (Claude: a forced tool); other types refused by the translation'),
    inert: ['text/plain'],
  },
  'generationConfig.responseSchema': everywhere(T, 'response_format json_schema, converted to JSON Schema'),
  'generationConfig.responseJsonSchema': everywhere(T, 'response_format json_schema'),
  'generationConfig.responseModalities': { ...geminiOnly('image and audio output only Gemini produces'), inert: [['TEXT'], []] },
  'generationConfig.thinkingConfig.thinkingBudget': {
    ...everywhere(T, 'reasoning_effort (under 8192 low, under 16384 medium, else high); 0 leaves the target’s default'),
    inert: [-1],
  },
  'generationConfig.thinkingConfig.thinkingLevel': everywhere(T, 'reasoning_effort of the same name'),
  'generationConfig.thinkingConfig.includeThoughts': dropped('thought summaries are not asked for: the answer shows what reasoning the target returns', [
    false,
  ]),
  'generationConfig.mediaResolution': dropped('Gemini’s token budget per image or video frame'),
  'generationConfig.speechConfig': dropped('a voice for audio output (refused with responseModalities)'),
  'generationConfig.imageConfig': dropped('image output settings (refused with responseModalities)'),
  'generationConfig.audioTimestamp': dropped('Vertex’s timestamps for audio input', [false]),
  'generationConfig.enableAffectiveDialog': dropped('the Live API’s affective dialog', [false]),
  'generationConfig.enableEnhancedCivicAnswers': dropped('Gemini’s civic-answers mode', [false]),
  'generationConfig.routingConfig': dropped('Vertex’s model routing: the gateway routes'),
  'generationConfig.modelSelectionConfig': dropped('Vertex’s model selection: the gateway routes'),

  'toolConfig.functionCallingConfig.mode': everywhere(T, 'tool_choice: AUTO and VALIDATED auto, ANY required, NONE none'),
  'toolConfig.functionCallingConfig.allowedFunctionNames': everywhere(T, 'only the allowed functions are offered; one with ANY is named in tool_choice'),
  'toolConfig.functionCallingConfig.streamFunctionCallArguments': dropped('a translated stream sends each call whole', [false]),
  'toolConfig.retrievalConfig': dropped('a location for Google’s grounding tools (refused themselves)'),
  'toolConfig.includeServerSideToolInvocations': dropped('Google’s server-side tools are refused themselves', [false]),

  'tool:functionDeclarations': everywhere(T, 'function tools'),
  'tool:googleSearch': geminiOnly('Google Search grounding runs inside Google’s API'),
  'tool:googleSearchRetrieval': geminiOnly('Google Search grounding runs inside Google’s API'),
  'tool:codeExecution': geminiOnly('code execution runs inside Google’s API'),
  'tool:urlContext': geminiOnly('URL context is fetched inside Google’s API'),
  'tool:googleMaps': geminiOnly('Google Maps grounding runs inside Google’s API'),
  'tool:fileSearch': geminiOnly('file search stores live in Google’s API'),
  'tool:retrieval': geminiOnly('Vertex retrieval runs inside Google’s API'),
  'tool:enterpriseWebSearch': geminiOnly('Vertex web search runs inside Google’s API'),
  'tool:parallelAiSearch': geminiOnly('a search tool run inside Google’s API'),
  'tool:computerUse': geminiOnly('Gemini’s computer-use actions'),
  'tool:mcpServers': geminiOnly('MCP servers called from inside Google’s API'),

  'functionDeclaration.name': everywhere(T, 'the function’s name'),
  'functionDeclaration.description': everywhere(T, 'the function’s description'),
  'functionDeclaration.parameters': everywhere(T, 'its parameters, converted to JSON Schema'),
  'functionDeclaration.parametersJsonSchema': everywhere(T, 'its parameters'),
  'functionDeclaration.response': dropped('a result schema: OpenAI and Claude functions declare none'),
  'functionDeclaration.responseJsonSchema': dropped('a result schema: OpenAI and Claude functions declare none'),
  'functionDeclaration.behavior': dropped('the Live API’s non-blocking calls'),

  'part:text': everywhere(T, 'text'),
  'part:inlineData:image': everywhere(T, 'a base64 image (Claude takes JPEG, PNG, GIF and WebP)'),
  'part:inlineData:pdf': everywhere(T, 'a PDF file part; Claude a document'),
  'part:inlineData:text': everywhere(T, 'text/plain: its text'),
  'part:inlineData:audio': {
    to: { openai: T, azure: T, anthropic: R, gemini: T },
    note: 'WAV and MP3 as input_audio (others refused by the translation); Claude takes no audio',
  },
  'part:inlineData:video': geminiOnly('video input'),
  'part:inlineData:other': geminiOnly('a MIME type only Gemini reads'),
  'part:fileData': everywhere(T, 'an image at an http(s) URL; Files API and Cloud Storage URIs refused by the translation'),
  'part:functionCall': everywhere(T, 'assistant tool calls, with the client’s ids or call_<n>'),
  'part:functionResponse': everywhere(T, 'tool messages, paired with their calls by id or by name in order'),
  'functionResponse.id': everywhere(T, 'pairs the result with its call'),
  'functionResponse.name': everywhere(T, 'pairs the result with its call when it has no id'),
  'functionResponse.response': everywhere(T, 'the tool message’s content, as JSON text'),
  'functionResponse.parts': geminiOnly('a tool result’s media (images, files): tool messages carry text only'),
  'functionResponse.willContinue': dropped('the Live API’s streamed function results'),
  'functionResponse.scheduling': dropped('the Live API’s scheduling of a non-blocking result'),
  'part:thought': dropped('a thought summary is Gemini’s own: left out of the history', [false]),
  'part:thoughtSignature': dropped('an opaque signature only Gemini reads'),
  'part:mediaResolution': dropped('Gemini’s token budget for this part’s media'),
  'part:partMetadata': dropped('the client’s own metadata on a part'),
  'part:videoMetadata': geminiOnly('a clip of a video'),
  'part:executableCode': geminiOnly('code run by Google’s code execution'),
  'part:codeExecutionResult': geminiOnly('a result of Google’s code execution'),
  'part:toolCall': geminiOnly('a call of Google’s server-side tools'),
  'part:toolResponse': geminiOnly('a result of Google’s server-side tools'),
} as const satisfies Record<string, Rule>;

export const GOOGLE_RULES = passedOn('gemini', TRANSLATED);

export type GoogleFeature = keyof typeof GOOGLE_RULES;

/** Object fields whose own fields each have a rule (`generationConfig.seed`), so an unknown one is caught. */
export const GOOGLE_NESTED: ReadonlySet<string> = new Set([
  'generationConfig',
  'generationConfig.thinkingConfig',
  'toolConfig',
  'toolConfig.functionCallingConfig',
]);

/** inlineData's rule, by MIME type: the families the translation reads differently. */
export function inlineDataKind(mimeType: unknown): 'image' | 'pdf' | 'text' | 'audio' | 'video' | 'other' {
  const type = typeof mimeType === 'string' ? mimeType.toLowerCase() : '';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'text/plain') return 'text';
  const family = type.split('/')[0];
  return family === 'image' || family === 'audio' || family === 'video' ? family : 'other';
}
