/**
 * /admin/prompts: prompt templates (docs/prompt-templates.md). Create (version 1), list, show,
 * save a new version, point or remove a label, render a version with variables (a dry run of what
 * the plugin would send), diff two versions. Every write tells every node (the template's name on
 * the invalidation channel), so aigw-prompt-template drops its compiled copy within a second.
 */
import { ConflictError } from '../../../lib/store/errors';
import {
  diffLines,
  formatUnifiedDiff,
  isAssignableLabel,
  isTemplateName,
  renderTemplate,
  TemplateError,
  templateVersionText,
  type VersionSelector,
} from '../../../lib/templates';
import { isLabelName, parseVersionNumber } from '../../../lib/templates/names';
import { resolveVersion } from '../../../lib/templates/selection';
import {
  addTemplateVersion,
  createTemplate,
  deleteTemplateLabel,
  getTemplate,
  getTemplateVersion,
  listTemplates,
  listTemplateVersions,
  loadTemplateForRender,
  loadTemplateVersions,
  prepareLoaded,
  type StoredTemplate,
  type StoredTemplateVersion,
  setTemplateLabel,
  type TemplateVersionInfo,
} from '../../../lib/templates/store';
import { ApiError, badRequest, conflict, notFound } from '../api-error';
import type { ControlContext, Handler } from '../context';
import * as v from '../validate';

const CREATE_FIELDS = ['name', 'description', 'definition', 'labels'] as const;
const VERSION_FIELDS = ['definition', 'labels', 'description'] as const;
const MAX_DESCRIPTION = 1024;

/**
 * The engine's errors in the API's shape: its status, message, code and the field at fault. A
 * definition's errors name their field inside `field` (`definition.messages.0.content`).
 */
function apiErrorOf(error: unknown, field?: string): never {
  if (error instanceof TemplateError) {
    const inside = field !== undefined && error.code !== 'template_not_found';
    const param = inside ? [field, error.details.param].filter(Boolean).join('.') : (error.details.param ?? null);
    throw new ApiError(error.status, error.message, error.code, param);
  }
  if (error instanceof ConflictError) throw conflict(error.message, error.field);
  throw error;
}

function templateName(name: string): string {
  if (!isTemplateName(name))
    throw badRequest('name', "A template name is a letter or digit, then letters, digits, '_', '.', '/' or '-' (128 at most)", 'invalid_name');
  return name;
}

function labelsOf(body: v.Body): string[] | undefined {
  const value = body.labels;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 16 || !value.every((label) => typeof label === 'string' && isAssignableLabel(label)))
    throw badRequest('labels', "labels must be a list of label names (a letter, then letters, digits, '_', '.' or '-'; not 'latest')");
  return [...new Set(value as string[])];
}

function definitionOf(body: v.Body): unknown {
  if (body.definition === undefined) throw badRequest('definition', 'Missing required parameter: definition', 'missing_required_parameter');
  return v.storableJson(v.asObject(body.definition, 'definition'), 'definition');
}

/** A version number or a label, as the plugin reads `prompt.version`; undefined when absent. */
function selectorOf(text: string | null | undefined, field: string): VersionSelector {
  if (text === undefined || text === null || text === '') return { kind: 'default' };
  const version = parseVersionNumber(text);
  if (version !== undefined) return { kind: 'version', version };
  if (isLabelName(text)) return { kind: 'label', label: text };
  throw badRequest(field, `${field} must be a version number or a label name`);
}

async function versionFor(ctx: ControlContext, name: string, selector: VersionSelector, field: string): Promise<number> {
  try {
    return resolveVersion(name, selector, await loadTemplateVersions(ctx.pool, name), field);
  } catch (error) {
    return apiErrorOf(error);
  }
}

async function loadTemplate(ctx: ControlContext, name: string): Promise<StoredTemplate> {
  const template = await getTemplate(ctx.pool, templateName(name));
  if (!template) throw notFound('template', name);
  return template;
}

function templateView(t: StoredTemplate): Record<string, unknown> {
  return {
    object: 'prompt_template',
    name: t.name,
    description: t.description,
    latest_version: t.latestVersion,
    labels: t.labels,
    created_at: t.createdAt,
    created_by: t.createdBy,
    updated_at: t.updatedAt,
  };
}

function versionInfoView(info: TemplateVersionInfo): Record<string, unknown> {
  return { version: info.version, hash: info.hash, created_at: info.createdAt, created_by: info.createdBy };
}

function versionView(version: StoredTemplateVersion): Record<string, unknown> {
  return { object: 'prompt_template_version', name: version.name, ...versionInfoView(version), definition: version.definition };
}

export const createPromptRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, CREATE_FIELDS);
  const name = templateName(v.reqString(body, 'name', 128));
  const description = v.optString(body, 'description', MAX_DESCRIPTION) ?? null;
  const created = await createTemplate(ctx.pool, {
    name,
    description,
    definition: definitionOf(body),
    labels: labelsOf(body),
    createdBy: req.admin.keyId,
  }).catch((error: unknown) => apiErrorOf(error, 'definition'));
  ctx.log.info('prompt template created', { template: name, by: req.admin.keyId });
  await ctx.invalidator.templates([name]);
  return { status: 201, body: { ...templateView(created.template), version: versionView(created.version) } };
};

export const listPromptsRoute: Handler = async (ctx, req) => {
  const page = v.pagination(req.query);
  const { templates, total } = await listTemplates(ctx.pool, page);
  return {
    status: 200,
    body: {
      object: 'list',
      data: templates.map(templateView),
      total,
      limit: page.limit,
      offset: page.offset,
      has_more: page.offset + templates.length < total,
    },
  };
};

/** The template, its versions, and one version's definition (`?version=` number or label; default: production, else latest). */
export const promptInfoRoute: Handler = async (ctx, req) => {
  const template = await loadTemplate(ctx, req.params.id);
  const number = await versionFor(ctx, template.name, selectorOf(req.query.get('version'), 'version'), 'version');
  const [versions, version] = await Promise.all([listTemplateVersions(ctx.pool, template.name), getTemplateVersion(ctx.pool, template.name, number)]);
  return { status: 200, body: { ...templateView(template), versions: versions.map(versionInfoView), version: version && versionView(version) } };
};

export const addVersionRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, VERSION_FIELDS);
  const name = templateName(req.params.id);
  const description = v.optString(body, 'description', MAX_DESCRIPTION);
  const saved = await addTemplateVersion(ctx.pool, name, definitionOf(body), { createdBy: req.admin.keyId, labels: labelsOf(body), description }).catch(
    (error: unknown) => apiErrorOf(error, 'definition'),
  );
  ctx.log.info('prompt template version saved', { template: name, version: saved.version.version, by: req.admin.keyId });
  await ctx.invalidator.templates([name]);
  return { status: 201, body: { ...templateView(saved.template), version: versionView(saved.version) } };
};

export const versionInfoRoute: Handler = async (ctx, req) => {
  const template = await loadTemplate(ctx, req.params.id);
  const number = await versionFor(ctx, template.name, selectorOf(req.params.version, 'version'), 'version');
  const version = await getTemplateVersion(ctx.pool, template.name, number);
  if (!version) throw notFound('template version', `${template.name}@${number}`);
  return { status: 200, body: versionView(version) };
};

/** PUT {version}: creates or moves the label. */
export const setLabelRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, ['version']);
  const name = templateName(req.params.id);
  const label = req.params.label;
  if (!isAssignableLabel(label))
    throw badRequest('label', "A label is a letter, then letters, digits, '_', '.' or '-' (64 at most); 'latest' is reserved", 'invalid_label');
  const version = typeof body.version === 'string' ? parseVersionNumber(body.version) : body.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw badRequest('version', body.version === undefined ? 'Missing required parameter: version' : 'version must be a version number');
  const template = await setTemplateLabel(ctx.pool, name, label, version, req.admin.keyId).catch((error: unknown) => apiErrorOf(error));
  ctx.log.info('prompt template label set', { template: name, label, version, by: req.admin.keyId });
  await ctx.invalidator.templates([name]);
  return { status: 200, body: templateView(template) };
};

export const deleteLabelRoute: Handler = async (ctx, req) => {
  const template = await loadTemplate(ctx, req.params.id);
  const label = req.params.label;
  if (!(await deleteTemplateLabel(ctx.pool, template.name, label))) throw notFound('label', `${template.name}:${label}`);
  ctx.log.info('prompt template label removed', { template: template.name, label, by: req.admin.keyId });
  await ctx.invalidator.templates([template.name]);
  return { status: 200, body: { object: 'prompt_template_label', name: template.name, label, deleted: true } };
};

/** POST {version?, variables?}: what the plugin would put into a request, and the hash the cache scope gets. */
export const renderPromptRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, ['version', 'variables']);
  const name = templateName(req.params.id);
  const requested = body.version === undefined || body.version === null ? undefined : String(body.version);
  const number = await versionFor(ctx, name, selectorOf(requested, 'version'), 'version');
  const loaded = await loadTemplateForRender(ctx.pool, name, number);
  if (!loaded) throw notFound('template version', `${name}@${number}`);
  try {
    const prepared = prepareLoaded(loaded);
    const rendered = renderTemplate(prepared, body.variables ?? {}, { param: 'variables' });
    return { status: 200, body: { object: 'prompt_template_render', name, version: number, hash: prepared.hash, partials: prepared.partials, rendered } };
  } catch (error) {
    return apiErrorOf(error);
  }
};

/** ?from=&to= (numbers or labels; default: the version before `to`, and the latest). */
export const diffPromptRoute: Handler = async (ctx, req) => {
  const template = await loadTemplate(ctx, req.params.id);
  const to = await versionFor(ctx, template.name, selectorOf(req.query.get('to') ?? 'latest', 'to'), 'to');
  const from = req.query.get('from') ? await versionFor(ctx, template.name, selectorOf(req.query.get('from'), 'from'), 'from') : Math.max(1, to - 1);
  const [a, b] = await Promise.all([getTemplateVersion(ctx.pool, template.name, from), getTemplateVersion(ctx.pool, template.name, to)]);
  if (!a || !b) throw notFound('template version', template.name);
  const diff = diffLines(templateVersionText(a.definition), templateVersionText(b.definition));
  const text = formatUnifiedDiff(diff, `${template.name}@${from}`, `${template.name}@${to}`);
  return { status: 200, body: { object: 'prompt_template_diff', name: template.name, from, to, exact: diff.exact, diff: text } };
};
