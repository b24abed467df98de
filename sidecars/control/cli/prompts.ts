/**
 * `aigw prompts`: prompt templates through /admin/prompts. A definition comes from a JSON or YAML
 * file (--file; YAML is a superset of JSON, so one parser reads both) or from flags (--system,
 * --user, --text, --variables, --model). docs/prompt-templates.md describes the definition.
 */
import { readFileSync } from 'node:fs';
import { apiRequest, CliError } from './client';
import type { CommandSpec, Output } from './commands';
import type { Flags } from './flags';
import { block, table } from './format';

type Obj = Record<string, unknown>;
const enc = encodeURIComponent;
const str = (f: Flags, name: string): string | undefined => (typeof f[name] === 'string' ? (f[name] as string) : undefined);

const DEFINITION_FLAGS = ['file', 'system', 'user', 'text', 'variables', 'model', 'description', 'label'] as const;

/**
 * JSON, else YAML. The YAML parser is loaded only for a YAML file: `yaml` is a development
 * dependency, absent from the control image, where JSON files still work.
 */
async function readDefinitionFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: YAML, below.
  }
  let yaml: typeof import('yaml');
  try {
    yaml = await import('yaml');
  } catch {
    throw new CliError(`--file ${file} is not JSON, and reading YAML needs the 'yaml' package, which this installation lacks: write the definition as JSON`);
  }
  try {
    return yaml.parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new CliError(`--file ${file} is neither JSON nor YAML: ${(error as Error).message}`);
  }
}

/** --variables order_id:number,company=ACME,tone:string=brief → declarations (type and default optional). */
function variablesOf(text: string): Obj[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      const head = eq < 0 ? item : item.slice(0, eq);
      const [name, type] = head.split(':');
      return { name, ...(type ? { type } : {}), ...(eq < 0 ? {} : { default: item.slice(eq + 1) }) };
    });
}

/** The definition a command was given, or undefined when none (an error for create and update). */
async function definitionOf(f: Flags): Promise<unknown> {
  const file = str(f, 'file');
  const system = str(f, 'system');
  const user = str(f, 'user');
  const text = str(f, 'text');
  if (file !== undefined) {
    if (system ?? user ?? text) throw new CliError('--file holds the whole definition: not with --system, --user or --text');
    return readDefinitionFile(file);
  }
  if (system === undefined && user === undefined && text === undefined)
    throw new CliError('A definition is needed: --file FILE (JSON or YAML), or --system/--user (a chat template) or --text (a text template)');
  if (text !== undefined && (system ?? user) !== undefined) throw new CliError('--text makes a text template: not with --system or --user');
  const body: Obj =
    text !== undefined
      ? { kind: 'text', text }
      : {
          kind: 'chat',
          messages: [...(system !== undefined ? [{ role: 'system', content: system }] : []), ...(user !== undefined ? [{ role: 'user', content: user }] : [])],
        };
  const variables = str(f, 'variables');
  if (variables !== undefined) body.variables = variablesOf(variables);
  const model = str(f, 'model');
  if (model !== undefined) body.model = model;
  return body;
}

/** --vars '{"a": 1}' or a=1,b=two (values as strings: the template's types coerce them). */
function renderVariables(f: Flags): Obj {
  const text = str(f, 'vars');
  if (text === undefined) return {};
  if (text.trim().startsWith('{')) {
    try {
      return JSON.parse(text) as Obj;
    } catch {
      throw new CliError('--vars must be a JSON object or name=value pairs');
    }
  }
  const pairs: Array<[string, string]> = [];
  for (const pair of text.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError('--vars takes name=value pairs, e.g. order_id=42,company=ACME');
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1)]);
  }
  return Object.fromEntries(pairs);
}

function summary(json: Obj): string {
  const version = json.version as Obj | undefined;
  const { version: _version, versions, ...template } = json;
  const parts = [block(template)];
  if (Array.isArray(versions)) parts.push(table(versions as Obj[], ['version', 'hash', 'created_at', 'created_by']));
  if (version) parts.push(`version ${version.version} (${version.hash}):\n${JSON.stringify(version.definition, null, 2)}`);
  return parts.join('\n\n');
}

function renderedText(json: Obj): string {
  const rendered = json.rendered as { kind: string; text?: string; messages?: Array<{ role: string; content: string }> };
  const body = rendered.kind === 'text' ? rendered.text! : rendered.messages!.map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
  return `${json.name}@${json.version}  hash ${json.hash}\n\n${body}`;
}

export const PROMPT_COMMANDS: Record<string, CommandSpec> = {
  'prompts create': {
    values: DEFINITION_FLAGS,
    positionals: ['name'],
    async run(c, f, [name]): Promise<Output> {
      const label = str(f, 'label');
      const body = {
        name,
        definition: await definitionOf(f),
        ...(str(f, 'description') ? { description: f.description } : {}),
        ...(label ? { labels: [label] } : {}),
      };
      const json = (await apiRequest(c, 'POST', '/admin/prompts', body)) as Obj;
      return { json, human: `created ${json.name} version 1\n\n${summary(json)}` };
    },
  },
  'prompts update': {
    values: DEFINITION_FLAGS,
    positionals: ['name'],
    async run(c, f, [name]) {
      const label = str(f, 'label');
      const body = {
        definition: await definitionOf(f),
        ...(str(f, 'description') ? { description: f.description } : {}),
        ...(label ? { labels: [label] } : {}),
      };
      const json = (await apiRequest(c, 'POST', `/admin/prompts/${enc(name)}/versions`, body)) as Obj;
      return { json, human: `saved ${json.name} version ${(json.version as Obj).version}\n\n${summary(json)}` };
    },
  },
  'prompts list': {
    values: ['limit', 'offset'],
    async run(c, f) {
      const q = new URLSearchParams();
      for (const k of ['limit', 'offset']) if (typeof f[k] === 'string') q.set(k, f[k] as string);
      const json = (await apiRequest(c, 'GET', `/admin/prompts?${q}`)) as Obj;
      const data = json.data as Obj[];
      return { json, human: data.length ? table(data, ['name', 'latest_version', 'labels', 'description', 'updated_at']) : '(none)' };
    },
  },
  'prompts show': {
    values: ['version'],
    positionals: ['name'],
    async run(c, f, [name]) {
      const q = str(f, 'version') ? `?version=${enc(f.version as string)}` : '';
      const json = (await apiRequest(c, 'GET', `/admin/prompts/${enc(name)}${q}`)) as Obj;
      return { json, human: summary(json) };
    },
  },
  'prompts render': {
    values: ['version', 'vars'],
    positionals: ['name'],
    async run(c, f, [name]) {
      const body = { variables: renderVariables(f), ...(str(f, 'version') ? { version: f.version } : {}) };
      const json = (await apiRequest(c, 'POST', `/admin/prompts/${enc(name)}/render`, body)) as Obj;
      return { json, human: renderedText(json) };
    },
  },
  'prompts label': {
    values: [],
    booleans: ['delete'],
    positionals: ['name', 'label', 'version?'],
    async run(c, f, [name, label, version]) {
      if (f.delete) {
        const json = (await apiRequest(c, 'DELETE', `/admin/prompts/${enc(name)}/labels/${enc(label)}`)) as Obj;
        return { json, human: `removed label ${label} of ${name}` };
      }
      if (version === undefined) throw new CliError('usage: aigw prompts label NAME LABEL VERSION (or --delete)');
      const json = (await apiRequest(c, 'PUT', `/admin/prompts/${enc(name)}/labels/${enc(label)}`, { version })) as Obj;
      return { json, human: `${name}: ${label} → version ${(json.labels as Obj)[label]}` };
    },
  },
  'prompts diff': {
    values: ['from', 'to'],
    positionals: ['name'],
    async run(c, f, [name]) {
      const q = new URLSearchParams();
      for (const k of ['from', 'to']) if (typeof f[k] === 'string') q.set(k, f[k] as string);
      const json = (await apiRequest(c, 'GET', `/admin/prompts/${enc(name)}/diff?${q}`)) as Obj;
      return { json, human: (json.diff as string) || `${name}@${json.from} and @${json.to} are the same` };
    },
  },
};
