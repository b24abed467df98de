/**
 * Prompt templates in PostgreSQL (migration 008): templates by name, immutable numbered versions,
 * labels pointing at versions. Partials are text templates included by name; a template uses a
 * partial's `production` version, else its newest (`partialVersionSql`), so moving a partial's
 * `production` label changes every template including it, and the render's hash (computed from
 * the partial sources actually used) changes with it. Saving a version checks that it compiles
 * and links with the partials as they are now. Not part of lib/templates/index.ts: the engine
 * stays pure, this module is its storage.
 */
import type { Pool } from 'pg';
import { ConflictError } from '../store/errors';
import { iso, type Row } from '../store/rows';
import { inTransaction, type Queryable } from '../store/sql';
import { MAX_PARTIAL_DEPTH } from './bounds';
import { compileTemplate } from './compile';
import { TemplateError } from './errors';
import { parseTemplateDefinition, type TemplateDefinition } from './model';
import { DEFAULT_LABEL } from './names';
import { type PreparedTemplate, prepareTemplate } from './prepare';
import type { TemplateVersions } from './selection';

export interface TemplateVersionInfo {
  version: number;
  hash: string;
  createdAt: string;
  createdBy: string | null;
}

export interface StoredTemplate {
  name: string;
  description: string | null;
  latestVersion: number;
  /** label → version, labels in name order. */
  labels: Record<string, number>;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
}

export interface StoredTemplateVersion extends TemplateVersionInfo {
  name: string;
  definition: TemplateDefinition;
}

/** What a render needs: the version's definition and the sources of every partial it reaches. */
export interface TemplateForRender {
  name: string;
  version: number;
  definition: TemplateDefinition;
  /** partial name → source (the partial's production version, else its newest). */
  partialSources: Map<string, string>;
}

function notFound(name: string, what = `Template '${name}' does not exist`): TemplateError {
  return new TemplateError('template_not_found', what, { param: 'name' });
}

function labelsOf(value: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries((value as Record<string, number> | null) ?? {}).map(([label, version]) => [label, Number(version)]));
}

function templateFromRow(r: Row): StoredTemplate {
  return {
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    latestVersion: Number(r.latest_version),
    labels: labelsOf(r.labels),
    createdAt: iso(r.created_at)!,
    createdBy: (r.created_by as string | null) ?? null,
    updatedAt: iso(r.updated_at)!,
  };
}

function versionFromRow(r: Row): TemplateVersionInfo {
  return { version: Number(r.version), hash: (r.hash as string).trim(), createdAt: iso(r.created_at)!, createdBy: (r.created_by as string | null) ?? null };
}

const TEMPLATE_WITH_LABELS = `SELECT t.*, (SELECT jsonb_object_agg(l.label, l.version ORDER BY l.label) FROM aigw_prompt_template_labels l WHERE l.template_name = t.name) AS labels
  FROM aigw_prompt_templates t`;

/** The version of a partial a template uses: its `production` label, else its newest version. */
const PARTIAL_SOURCES_SQL = `SELECT t.name, v.definition FROM aigw_prompt_templates t
  JOIN aigw_prompt_template_versions v ON v.template_name = t.name
   AND v.version = COALESCE((SELECT l.version FROM aigw_prompt_template_labels l WHERE l.template_name = t.name AND l.label = '${DEFAULT_LABEL}'), t.latest_version)
  WHERE t.name = ANY($1::text[])`;

function sourcesOf(definition: TemplateDefinition): string[] {
  return definition.kind === 'text' ? [definition.text] : definition.messages.map((message) => message.content);
}

/** The partials a list of sources includes directly (compiling them: a source that does not parse includes nothing here; prepareTemplate reports it). */
function includedPartials(sources: readonly string[]): string[] {
  const names = new Set<string>();
  for (const source of sources) {
    try {
      for (const name of compileTemplate(source).partials) names.add(name);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
    }
  }
  return [...names];
}

/**
 * The sources of every partial reachable from `definition`, one query per level of inclusion
 * (bounded by MAX_PARTIAL_DEPTH: a deeper chain is refused by linking anyway). `override` stands
 * in for one template's stored partial source (a version being saved that other templates include).
 * A chat template cannot be a partial: it has no single source.
 */
async function partialSourcesFor(
  db: Queryable,
  definition: TemplateDefinition,
  override?: { name: string; definition: TemplateDefinition },
): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const seen = new Set<string>();
  let wanted = includedPartials(sourcesOf(definition));
  for (let level = 0; level <= MAX_PARTIAL_DEPTH && wanted.length > 0; level++) {
    for (const name of wanted) seen.add(name);
    const found = new Map<string, TemplateDefinition>();
    const toQuery = wanted.filter((name) => name !== override?.name);
    if (override && wanted.includes(override.name)) found.set(override.name, override.definition);
    if (toQuery.length > 0) {
      const { rows } = await db.query(PARTIAL_SOURCES_SQL, [toQuery]);
      for (const row of rows) found.set(row.name as string, row.definition as TemplateDefinition);
    }
    const next: string[] = [];
    for (const [name, partial] of found) {
      if (partial.kind !== 'text')
        throw new TemplateError('partial_missing', `Partial '${name}' is a chat template; only text templates can be included as partials`, { names: [name] });
      sources.set(name, partial.text);
      for (const child of includedPartials([partial.text])) if (!seen.has(child)) next.push(child);
    }
    wanted = [...new Set(next)];
  }
  return sources;
}

/** Checks a definition and that it compiles and links with today's partials; returns it parsed with its hash. */
async function checkedDefinition(db: Queryable, name: string, raw: unknown): Promise<{ definition: TemplateDefinition; hash: string }> {
  const definition = parseTemplateDefinition(raw);
  const partials = await partialSourcesFor(db, definition, { name, definition });
  return { definition, hash: prepareTemplate(definition, partials).hash };
}

export interface NewTemplate {
  name: string;
  description: string | null;
  definition: unknown;
  createdBy: string | null;
  /** Labels to point at version 1. */
  labels?: string[];
}

/** Creates a template with its version 1; ConflictError when the name is taken, TemplateError for a bad definition. */
export async function createTemplate(pool: Pool, t: NewTemplate): Promise<{ template: StoredTemplate; version: StoredTemplateVersion }> {
  return inTransaction(pool, async (client) => {
    const { definition, hash } = await checkedDefinition(client, t.name, t.definition);
    const inserted = await client.query(
      `INSERT INTO aigw_prompt_templates (name, description, latest_version, created_by) VALUES ($1, $2, 1, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [t.name, t.description, t.createdBy],
    );
    if (inserted.rowCount === 0) throw new ConflictError(`a template named '${t.name}' already exists`, 'name');
    const version = await insertVersion(client, t.name, 1, definition, hash, t.createdBy);
    for (const label of t.labels ?? []) await upsertLabel(client, t.name, label, 1, t.createdBy);
    return { template: (await getTemplate(client, t.name))!, version };
  });
}

async function insertVersion(
  db: Queryable,
  name: string,
  version: number,
  definition: TemplateDefinition,
  hash: string,
  createdBy: string | null,
): Promise<StoredTemplateVersion> {
  const { rows } = await db.query(
    `INSERT INTO aigw_prompt_template_versions (template_name, version, definition, hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [name, version, JSON.stringify(definition), hash, createdBy],
  );
  return { name, definition, ...versionFromRow(rows[0]) };
}

async function upsertLabel(db: Queryable, name: string, label: string, version: number, by: string | null): Promise<void> {
  await db.query(
    `INSERT INTO aigw_prompt_template_labels (template_name, label, version, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (template_name, label) DO UPDATE SET version = EXCLUDED.version, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [name, label, version, by],
  );
}

/** Saves the next version of a template (and points `labels` at it); TemplateError 404 for an unknown template. */
export async function addTemplateVersion(
  pool: Pool,
  name: string,
  raw: unknown,
  by: { createdBy: string | null; labels?: string[]; description?: string | null },
): Promise<{ template: StoredTemplate; version: StoredTemplateVersion }> {
  return inTransaction(pool, async (client) => {
    // The row lock orders concurrent saves: each gets the next number.
    const { rows } = await client.query('SELECT latest_version FROM aigw_prompt_templates WHERE name = $1 FOR UPDATE', [name]);
    if (!rows[0]) throw notFound(name);
    const { definition, hash } = await checkedDefinition(client, name, raw);
    const next = Number(rows[0].latest_version) + 1;
    const version = await insertVersion(client, name, next, definition, hash, by.createdBy);
    const description = by.description === undefined ? [] : [by.description];
    await client.query(
      `UPDATE aigw_prompt_templates SET latest_version = $2, updated_at = now()${description.length ? ', description = $3' : ''} WHERE name = $1`,
      [name, next, ...description],
    );
    for (const label of by.labels ?? []) await upsertLabel(client, name, label, next, by.createdBy);
    return { template: (await getTemplate(client, name))!, version };
  });
}

export async function listTemplates(db: Queryable, page: { limit: number; offset: number }): Promise<{ templates: StoredTemplate[]; total: number }> {
  const { rows } = await db.query(`${TEMPLATE_WITH_LABELS} ORDER BY t.name LIMIT $1 OFFSET $2`, [page.limit, page.offset]);
  const { rows: count } = await db.query('SELECT count(*)::int AS n FROM aigw_prompt_templates');
  return { templates: rows.map(templateFromRow), total: count[0].n };
}

export async function getTemplate(db: Queryable, name: string): Promise<StoredTemplate | null> {
  const { rows } = await db.query(`${TEMPLATE_WITH_LABELS} WHERE t.name = $1`, [name]);
  return rows[0] ? templateFromRow(rows[0]) : null;
}

/** Every version's number, hash and author, newest first. */
export async function listTemplateVersions(db: Queryable, name: string): Promise<TemplateVersionInfo[]> {
  const { rows } = await db.query(
    'SELECT version, hash, created_at, created_by FROM aigw_prompt_template_versions WHERE template_name = $1 ORDER BY version DESC',
    [name],
  );
  return rows.map(versionFromRow);
}

export async function getTemplateVersion(db: Queryable, name: string, version: number): Promise<StoredTemplateVersion | null> {
  const { rows } = await db.query('SELECT * FROM aigw_prompt_template_versions WHERE template_name = $1 AND version = $2', [name, version]);
  return rows[0] ? { name, definition: rows[0].definition as TemplateDefinition, ...versionFromRow(rows[0]) } : null;
}

/** Points a label at a version (creating or moving it); TemplateError 404 for an unknown template or version. */
export async function setTemplateLabel(pool: Pool, name: string, label: string, version: number, by: string | null): Promise<StoredTemplate> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query('SELECT latest_version FROM aigw_prompt_templates WHERE name = $1 FOR UPDATE', [name]);
    if (!rows[0]) throw notFound(name);
    if (version > Number(rows[0].latest_version))
      throw new TemplateError('template_not_found', `Template '${name}' has no version ${version} (latest: ${rows[0].latest_version})`, { param: 'version' });
    await upsertLabel(client, name, label, version, by);
    await client.query('UPDATE aigw_prompt_templates SET updated_at = now() WHERE name = $1', [name]);
    return (await getTemplate(client, name))!;
  });
}

/** Removes a label; false when the template has no such label. */
export async function deleteTemplateLabel(db: Queryable, name: string, label: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM aigw_prompt_template_labels WHERE template_name = $1 AND label = $2', [name, label]);
  return (rowCount ?? 0) > 0;
}

/** A template's newest version and labels, for resolveVersion; undefined when there is no such template. */
export async function loadTemplateVersions(db: Queryable, name: string): Promise<TemplateVersions | undefined> {
  const template = await getTemplate(db, name);
  if (!template) return undefined;
  return { latestVersion: template.latestVersion, labels: new Map(Object.entries(template.labels)) };
}

/** A version and the partial sources it reaches, for rendering; null when the version does not exist. */
export async function loadTemplateForRender(db: Queryable, name: string, version: number): Promise<TemplateForRender | null> {
  const stored = await getTemplateVersion(db, name, version);
  if (!stored) return null;
  return { name, version, definition: stored.definition, partialSources: await partialSourcesFor(db, stored.definition) };
}

/** A loaded version made ready to render; throws a TemplateError when its partials no longer link (a partial moved to one that cycles). */
export function prepareLoaded(loaded: TemplateForRender): PreparedTemplate {
  return prepareTemplate(loaded.definition, loaded.partialSources);
}
