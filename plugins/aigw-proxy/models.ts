/** OpenAI's model objects for `GET /v1/models`, built from the configured public names. */
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
