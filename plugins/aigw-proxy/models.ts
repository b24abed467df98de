/**
 * The model listings, built from the configured public names: OpenAI's for `GET /v1/models`,
 * Google's for `GET /v1beta/models` (the @google/genai SDK's models.list and models.get).
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
