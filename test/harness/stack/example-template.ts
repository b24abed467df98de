/**
 * The example prompt template `make dev` seeds: a partial (`dev-tone`, a text template) and a chat
 * template (`dev-support`) that includes it, labelled production, with how to try it.
 */
import type { DevStack } from './stack';

export const EXAMPLE_PARTIAL = { name: 'dev-tone', definition: { kind: 'text', text: 'Answer in two sentences at most.' } };
export const EXAMPLE_TEMPLATE = {
  name: 'dev-support',
  description: 'The make dev example: a support assistant with a partial',
  labels: ['production'],
  definition: {
    kind: 'chat',
    messages: [{ role: 'system', content: 'You are the support assistant of {{company}}. {{> dev-tone}}' }],
    variables: [{ name: 'company', type: 'string', default: 'ACME' }],
    model: 'gpt-4o-mini',
  },
};

/** Seeds the example (once per database: an existing one is kept) and returns the ready output's lines for it. */
export async function seedExampleTemplate(stack: Pick<DevStack, 'admin' | 'url'>, userKeyFile: string): Promise<string[]> {
  for (const body of [EXAMPLE_PARTIAL, EXAMPLE_TEMPLATE]) {
    const created = await stack.admin('POST', '/admin/prompts', body);
    if (created.status !== 201 && created.status !== 409) throw new Error(`could not seed the example template ${body.name}: ${JSON.stringify(created.body)}`);
  }
  return [
    `  a prompt template (${EXAMPLE_TEMPLATE.name}, with the partial ${EXAMPLE_PARTIAL.name}; \`aigw prompts show ${EXAMPLE_TEMPLATE.name}\`):`,
    `    curl -s ${stack.url}/v1/chat/completions -H "Authorization: Bearer $(cat ${userKeyFile})" -H 'content-type: application/json' \\`,
    `      -d '{"prompt":{"id":"${EXAMPLE_TEMPLATE.name}","variables":{"company":"Initech"}},"messages":[{"role":"user","content":"How do I reset my password?"}]}'`,
  ];
}
