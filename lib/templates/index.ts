/**
 * Prompt templates: Mustache-style sources compiled once and rendered many times into chat
 * messages or text, variables checked against declarations, selection from a request body
 * (OpenAI's `prompt` object, Kong's `{template://name}`), route decoration and version diffs.
 * Pure: no store, no network. docs/prompt-templates.md describes the syntax and the errors.
 */
export { applyRenderedTemplate, renderedMessages } from './apply';
export * as TEMPLATE_BOUNDS from './bounds';
export { type CompiledTemplate, compileTemplate, type TemplateNode } from './compile';
export { type ConversationFormat, type Decoration, decorateRequest, parseDecoration } from './decorate';
export { type DiffLine, diffLines, formatUnifiedDiff, type LineDiff, templateVersionText } from './diff';
export { TemplateError, type TemplateErrorCode, type TemplateErrorDetails } from './errors';
export {
  type JsonValue,
  MESSAGE_ROLES,
  type MessageRole,
  parseTemplateDefinition,
  type TemplateDefinition,
  type TemplateMessage,
  VARIABLE_TYPES,
  type VariableDeclaration,
  type VariableType,
} from './model';
export { DEFAULT_LABEL, isAssignableLabel, isLabelName, isTemplateName, LATEST_LABEL } from './names';
export { type LinkedTemplate, linkTemplate, type PartialLookup } from './partials';
export { type PreparedTemplate, prepareTemplate, type RenderedTemplate, type RenderOptions, renderTemplate, templateHash } from './prepare';
export { DEFAULT_RENDER_LIMITS, RenderBudget, type RenderLimits, renderLinked } from './render';
export { parseTemplateSelection, resolveVersion, type TemplateSelection, type TemplateVersions, type VersionSelector } from './selection';
export { resolveVariables } from './variables';
