/**
 * Every bound the client-request validators enforce, in one place. README.md in this folder has
 * the same table with the source of each number; keep the two in step.
 */

/**
 * Deepest JSON nesting accepted anywhere in a body (objects and arrays both count). The deepest
 * legitimate shapes are JSON schemas in tools (every nested object property costs two levels:
 * `properties` and the property) and tool-call inputs: a schema 30 objects deep sits at about 70.
 * 128 is serde_json's recursion limit; JSON.stringify overflows the stack near 10,000.
 */
export const MAX_JSON_DEPTH = 128;

/** Identifiers the gateway reads or forwards: model names, participant names, ids, user ids. */
export const MAX_MODEL_LENGTH = 256;
export const MAX_ID_LENGTH = 256;
/** Function and tool names: OpenAI documents 64, Anthropic 128; each provider refuses what it cannot take. */
export const MAX_TOOL_NAME_LENGTH = 128;
/** Enum-like strings passed through unread (an unknown content part's type, service_tier, ...). */
export const MAX_KEYWORD_LENGTH = 64;

/** Anthropic documents 100,000 messages per request; used for both formats. */
export const MAX_MESSAGES = 100_000;
/** Content parts or blocks in one message, and signed thinking blocks: a gateway bound. */
export const MAX_CONTENT_PARTS = 10_000;
/** Tool calls in one assistant message: OpenAI's own maximum (`array_above_max_length`). */
export const MAX_TOOL_CALLS = 128;
/** Tools per request: OpenAI takes 128, but Claude Code with many MCP servers sends more to Anthropic. */
export const MAX_TOOLS = 1024;
/** Stop sequences: OpenAI takes 4 and Gemini 5 (each refuses more itself); Anthropic documents no limit. */
export const MAX_STOP_SEQUENCES = 64;

/**
 * max_tokens and every other output-token count: above the largest context window of any model
 * (10M tokens), and small enough that tokens × price × 1000 nano-USD stays exact in a double.
 */
export const MAX_OUTPUT_TOKENS = 2 ** 24;
/** `n`: OpenAI's documented maximum ("Expected a value <= 128"). */
export const MAX_CHOICES = 128;
/** Anthropic documents budget_tokens ≥ 1,024. */
export const MIN_THINKING_BUDGET = 1024;
/** top_k and token ids: the providers' integer type is int32. */
export const MAX_INT32 = 2 ** 31 - 1;

export const OPENAI_TEMPERATURE = { min: 0, max: 2 } as const;
export const ANTHROPIC_TEMPERATURE = { min: 0, max: 1 } as const;
/** Gemini's generationConfig.temperature: 0.0 to 2.0 (Gemini API reference, GenerationConfig). */
export const GEMINI_TEMPERATURE = { min: 0, max: 2 } as const;
export const TOP_P = { min: 0, max: 1 } as const;
export const PENALTY = { min: -2, max: 2 } as const;
export const LOGIT_BIAS = { min: -100, max: 100 } as const;
export const TOP_LOGPROBS = { min: 0, max: 20 } as const;
/** logit_bias entries: a gateway bound (OpenAI documents none). */
export const MAX_LOGIT_BIAS_ENTRIES = 1024;

/** Gemini safetySettings: one per harm category (about ten are documented); a gateway bound. */
export const MAX_SAFETY_SETTINGS = 64;

/** Output modalities (OpenAI has text and audio): a gateway bound. */
export const MAX_MODALITIES = 8;

/** OpenAI metadata: 16 pairs, keys up to 64 characters, values up to 512. */
export const MAX_METADATA_ENTRIES = 16;
export const MAX_METADATA_KEY_LENGTH = 64;
export const MAX_METADATA_VALUE_LENGTH = 512;
/** OpenAI's safety_identifier and json_schema.name: 64 characters. */
export const MAX_OPENAI_NAME_LENGTH = 64;

/** Embeddings: OpenAI takes at most 2,048 inputs and 300,000 tokens per request. */
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_EMBEDDING_TOKENS = 300_000;
/** Above every embedding model's width (3,072 for OpenAI and Gemini, 4,096 for the largest open models). */
export const MAX_EMBEDDING_DIMENSIONS = 8192;
