/**
 * The kong.conf settings the double honours, read from the same file the gateway image installs
 * (kong/kong.conf), so there is one source of truth. Defaults are Kong 3.9.3's
 * (kong/templates/kong_defaults.lua).
 *
 * `error_template_<format>` holds a path inside the image. kong/Dockerfile installs kong.conf and
 * the templates side by side in /etc/kong (test/static/kong-config.test.ts checks it), so the
 * double looks for a template beside the kong.conf it was given, and refuses to start when it is
 * missing (Kong would log "failed reading the custom json error template" at the first error and
 * fall back to its own template: kong/tools/http.lua custom_error_templates).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseSize } from './size';

export type ErrorFormat = 'json' | 'html' | 'xml' | 'plain';

export const ERROR_FORMATS: readonly ErrorFormat[] = ['json', 'html', 'xml', 'plain'];

/** kong/conf_loader/constants.lua: error_default_type enum */
const ERROR_DEFAULT_TYPES = ['application/json', 'application/xml', 'text/html', 'text/plain'];

export interface KongSettings {
  /** error_default_type: the type of Kong's own errors when the request has no Accept nor Content-Type */
  errorDefaultType: string;
  /** error_template_<format>: custom templates (file contents), by format */
  errorTemplates: Partial<Record<ErrorFormat, string>>;
  /** nginx_http_client_body_buffer_size, bytes */
  clientBodyBufferSize: number;
  /** nginx_http_client_max_body_size, bytes; 0 = unlimited */
  clientMaxBodySize: number;
}

export const KONG_DEFAULT_SETTINGS: KongSettings = {
  errorDefaultType: 'text/plain',
  errorTemplates: {},
  clientBodyBufferSize: parseSize('8k'),
  clientMaxBodySize: 0,
};

/**
 * Parses kong.conf the way Kong 3.9 does for what we use (kong/conf_loader/init.lua
 * load_config: penlight `key = value` lines, trailing ` # comment` removed unless escaped `\#`).
 * Duplicate keys are an error here (Kong would silently keep one).
 */
export function parseKongConf(text: string): Map<string, string> {
  const conf = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`kong.conf line ${index + 1}: no '=' in "${raw}"`);
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line
      .slice(eq + 1)
      .replace(/\s*(?<!\\)#.*$/, '')
      .replace(/\\#/g, '#')
      .trim();
    if (conf.has(key)) throw new Error(`kong.conf line ${index + 1}: duplicate key ${key}`);
    conf.set(key, value);
  });
  return conf;
}

/**
 * An error template must survive Lua's string.format(template, message, request_id): only `%s`
 * (at most two) and `%%`. Anything else is a runtime error in Kong's error handler
 * (kong.conf.default error_template_html: "more than two placeholders ... runtime error").
 */
export function checkErrorTemplate(template: string, where: string): void {
  let placeholders = 0;
  for (const m of template.matchAll(/%(.?)/gs)) {
    if (m[1] === 's') placeholders++;
    else if (m[1] !== '%') throw new Error(`${where}: "%${m[1]}" is not allowed (only %s and %%): Lua's string.format would fail`);
  }
  if (placeholders > 2) throw new Error(`${where}: ${placeholders} %s placeholders; Kong formats with two values (message, request id)`);
}

/** Reads the settings above from a kong.conf file; unset keys keep Kong's defaults. */
export function loadKongSettings(confFile: string): KongSettings {
  const conf = parseKongConf(readFileSync(confFile, 'utf8'));
  const settings: KongSettings = { ...KONG_DEFAULT_SETTINGS, errorTemplates: {} };
  const defaultType = conf.get('error_default_type');
  if (defaultType !== undefined) {
    if (!ERROR_DEFAULT_TYPES.includes(defaultType)) {
      throw new Error(`${confFile}: error_default_type must be one of ${ERROR_DEFAULT_TYPES.join(', ')} (got "${defaultType}")`);
    }
    settings.errorDefaultType = defaultType;
  }
  for (const format of ERROR_FORMATS) {
    const path = conf.get(`error_template_${format}`);
    if (path === undefined || path === 'NONE') continue;
    const local = join(dirname(confFile), basename(path));
    if (!existsSync(local)) {
      throw new Error(`${confFile}: error_template_${format} = ${path}, but ${local} (beside kong.conf, as kong/Dockerfile installs it) does not exist`);
    }
    const template = readFileSync(local, 'utf8');
    checkErrorTemplate(template, local);
    settings.errorTemplates[format] = template;
  }
  const bufferSize = conf.get('nginx_http_client_body_buffer_size');
  if (bufferSize !== undefined) settings.clientBodyBufferSize = parseSize(bufferSize);
  const maxBody = conf.get('nginx_http_client_max_body_size');
  if (maxBody !== undefined) settings.clientMaxBodySize = parseSize(maxBody);
  return settings;
}
