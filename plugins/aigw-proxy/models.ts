/**
 * The model listings, built from the configured public names, in the shape the caller's SDK reads:
 * OpenAI's or Anthropic's (its SDK sends `anthropic-version`) for `GET /v1/models`, Google's for
 * `GET /v1beta/models` (the @google/genai SDK's models.list and models.get).
 */
export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

// A fixed timestamp: the list must not change between calls or nodes.
const CREATED = 1700000000;

export function modelObject(name: string): ModelObject {
  return { id: name, object: 'model', created: CREATED, owned_by: 'aigw' };
}

export function modelList(names: string[]): { object: 'list'; data: ModelObject[] } {
  return { object: 'list', data: names.map(modelObject) };
}

/** Anthropic's model object (GET /v1/models with anthropic-version). */
export interface AnthropicModelObject {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

const CREATED_AT = new Date(CREATED * 1000).toISOString();

export function anthropicModelObject(name: string): AnthropicModelObject {
  return { type: 'model', id: name, display_name: name, created_at: CREATED_AT };
}

/** One page holding every name: the list is short, and `has_more: false` ends the SDK's paging. */
export function anthropicModelList(names: string[]): { data: AnthropicModelObject[]; has_more: false; first_id: string | null; last_id: string | null } {
  return { data: names.map(anthropicModelObject), has_more: false, first_id: names[0] ?? null, last_id: names.at(-1) ?? null };
}

/** google.ai.generativelanguage.v1beta.Model, with what the gateway serves for it. */
export interface GoogleModel {
  name: string;
  version: string;
  displayName: string;
  supportedGenerationMethods: string[];
}

export function googleModel(name: string): GoogleModel {
  return { name: `models/${name}`, version: 'aigw', displayName: name, supportedGenerationMethods: ['generateContent', 'streamGenerateContent'] };
}

/** Every model in one page: no nextPageToken. */
export function googleModelList(names: string[]): { models: GoogleModel[] } {
  return { models: names.map(googleModel) };
}

/** A listing in one API's shape: all the names a key may use, or one of them. */
export interface ModelListing {
  list(names: string[]): unknown;
  one(name: string): unknown;
}

export const OPENAI_LISTING: ModelListing = { list: modelList, one: modelObject };
export const GOOGLE_LISTING: ModelListing = { list: googleModelList, one: googleModel };
export const ANTHROPIC_LISTING: ModelListing = { list: anthropicModelList, one: anthropicModelObject };
