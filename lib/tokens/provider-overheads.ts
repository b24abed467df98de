/**
 * What each provider adds to a prompt beyond the request's own text (chat framing, tool-use
 * system prompts) and the most one image can cost there. Documented values are cited; the rest
 * are chosen above every chat template we could read and marked empirical.
 */
import type { ProviderType } from '../plan';

export interface ProviderOverheads {
  perRequest: number;
  perMessage: number;
  /** Once per request that declares tools (or a JSON mode emulated with a tool). */
  toolPrompt: number;
  perToolDefinition: number;
  perToolCall: number;
  perToolResult: number;
  perEmbeddingInput: number;
  /** Most tokens one image costs on this provider's models; null: no documented maximum. */
  imageTokens: number | null;
}

/**
 * OpenAI (and Azure OpenAI, same models). From OpenAI's cookbook "How to count tokens with
 * tiktoken" (openai-cookbook examples/How_to_count_tokens_with_tiktoken.ipynb), gpt-4o family:
 * tokens_per_message = 3 and tokens_per_name = 1; every reply primed with
 * <|start|>assistant<|message|> = 3; tools: func_init = 7 and prop_init = 3 per function,
 * func_end = 12 once (per-property and per-enum-item costs of 3 are JSON_VALUE_SLACK).
 * Tool calls and results: 8 each for their recipient/channel markers (empirical).
 *
 * Images (platform.openai.com/docs/guides/images-vision, "Calculating costs"): a high-detail
 * image is scaled into 2048×2048, then its short side down to 768, so at most 4×2 tiles of 512 px;
 * gpt-4o-mini costs 2,833 + 5,667 per tile = 48,169, the most of any OpenAI model (patch-based
 * models: 1,536 patches × 2.46 at most = 3,779). Models in lib/pricing/catalogue.json carry their
 * own max_image_tokens.
 */
const OPENAI: ProviderOverheads = {
  perRequest: 3,
  perMessage: 4,
  toolPrompt: 12,
  perToolDefinition: 10,
  perToolCall: 8,
  perToolResult: 8,
  perEmbeddingInput: 0,
  imageTokens: 48_169,
};

/**
 * Anthropic. Tool use adds a system prompt (docs.anthropic.com/en/docs/tool-use-pricing-and-tokens):
 * 346 tokens on Claude 4 models (313 with tool_choice any/tool), the most on any listed model 530
 * (Claude 3 Opus, auto). The JSON-mode emulation of the relay forces a tool, so it counts too.
 * Turn framing is not documented: 8 per message and 16 per request, 16 around each tool
 * definition, call and result (empirical, above the Human/Assistant turn markers).
 *
 * Images (docs.anthropic.com/en/docs/build-with-claude/vision): tokens ≈ width × height / 750,
 * and larger images are scaled down to about 1,600 tokens on Claude 3 and 4 models; Claude Opus
 * 4.7 reads up to 3.75 megapixels, 3,750,000 / 750 = 5,000, the default for models the catalogue
 * does not list.
 */
const ANTHROPIC: ProviderOverheads = {
  perRequest: 16,
  perMessage: 8,
  toolPrompt: 530,
  perToolDefinition: 16,
  perToolCall: 16,
  perToolResult: 16,
  perEmbeddingInput: 2,
  imageTokens: 5_000,
};

/**
 * Gemini. Turn framing as in Gemma's template (<start_of_turn>role\n … <end_of_turn>\n = 5 per
 * turn, BOS once) with room; a tool prompt is not documented (512, empirical).
 *
 * Images (ai.google.dev/gemini-api/docs/tokens): 258 tokens for an image up to 384×384, larger
 * images are cut into 768×768 tiles of 258 tokens each, with no documented limit on the number of
 * tiles: no maximum can be proven, so an image makes the bound the model's context window unless
 * the catalogue or the target's pricing gives max_image_tokens.
 */
const GEMINI: ProviderOverheads = {
  perRequest: 16,
  perMessage: 8,
  toolPrompt: 512,
  perToolDefinition: 16,
  perToolCall: 16,
  perToolResult: 16,
  perEmbeddingInput: 2,
  imageTokens: null,
};

/**
 * Any other OpenAI-compatible server renders its model's chat template. Llama 3: <|start_header_id|>
 * role <|end_header_id|> \n\n … <|eot_id|> = 5 per message; ChatML (Qwen, DeepSeek-style): 5;
 * Llama 3.1 adds a dated system header (~25 tokens) and BOS, hence 64 per request. Tool prompts
 * (Llama 3.1's JSON function-calling instructions, Qwen's "# Tools" block, in their
 * tokenizer_config.json chat templates) are 100–200 tokens: 512. Vision encoders vary by model,
 * so images have no default maximum. Empirical, chosen above every template we read.
 */
const OPENAI_COMPATIBLE: ProviderOverheads = {
  perRequest: 64,
  perMessage: 8,
  toolPrompt: 512,
  perToolDefinition: 16,
  perToolCall: 16,
  perToolResult: 16,
  perEmbeddingInput: 2,
  imageTokens: null,
};

export function overheadsFor(provider: ProviderType): ProviderOverheads {
  switch (provider) {
    case 'openai':
    case 'azure':
      return OPENAI;
    case 'anthropic':
      return ANTHROPIC;
    case 'gemini':
      return GEMINI;
    default:
      return OPENAI_COMPATIBLE;
  }
}
