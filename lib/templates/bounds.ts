/**
 * Every bound the template engine enforces, in one place. Templates come from administrators,
 * variables from clients: both are bounded so that compiling and rendering stay linear and small.
 */

/** Longest template or partial source, in characters (a long system prompt is a few tens of KB). */
export const MAX_TEMPLATE_CHARS = 256 * 1024;
/** Sections nested inside one template or partial. */
export const MAX_SECTION_NESTING = 32;
/** Partials including partials: a chain longer than this is refused when the template is linked. */
export const MAX_PARTIAL_DEPTH = 8;
/** Sections and partial inclusions nested in total, across partials: bounds the render's recursion and context stack. */
export const MAX_RENDER_NESTING = 64;
/** Messages in one chat template. */
export const MAX_TEMPLATE_MESSAGES = 64;
/** Variables declared by one template, and variables given by one request. */
export const MAX_VARIABLES = 256;

/** Template, partial and label names; variable names. */
export const MAX_NAME_LENGTH = 128;
export const MAX_VARIABLE_NAME_LENGTH = 64;
/** Highest version number (a version is a positive integer; nine digits at most). */
export const MAX_VERSION = 999_999_999;

/** All variable values of one request together, measured as their JSON size at its worst (lib/tokens/json-bound). */
export const MAX_VARIABLES_JSON_CHARS = 512 * 1024;
/** Deepest nesting of one variable value (the value itself is level 1). */
export const MAX_VARIABLE_DEPTH = 16;
/** A template's `params` (sampling defaults), measured like variables. */
export const MAX_PARAMS_JSON_CHARS = 16 * 1024;

/** Default render bounds; a plugin may configure lower or higher ones. */
export const DEFAULT_MAX_OUTPUT_CHARS = 2 * 1024 * 1024;
/** Nodes rendered in total (text, variables, partials, and every section pass): a list inside a list cannot explode. */
export const DEFAULT_MAX_EXPANSIONS = 100_000;

/** Route decoration (Kong's ai-prompt-decorator takes 15 messages of 500 characters each way; we take more of each). */
export const MAX_DECORATION_MESSAGES = 32;
export const MAX_DECORATION_CONTENT_CHARS = 64 * 1024;

/** Diff: lines per side, and edits searched for before the diff falls back to replacing the whole middle. */
export const MAX_DIFF_LINES = 20_000;
export const MAX_DIFF_EDITS = 1_000;
