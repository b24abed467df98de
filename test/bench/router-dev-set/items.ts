/** The shape of the router development set's items, and how they are written (index.ts has the labelling rule). */
export type Label = 'weak' | 'strong';
export type Category = 'chat' | 'code' | 'math' | 'extraction' | 'tool-step' | 'summarisation' | 'reasoning';

/** A prompt as written: a user text, or a conversation ending in a tool result (a tool-result step). */
export interface DevItem {
  id: string;
  category: Category;
  label: Label;
  /** An OpenAI chat completions body. */
  body: Record<string, unknown>;
}

export type Row = [Label, string];

/** A single-turn chat request. */
export function userTurn(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'auto', messages: [{ role: 'user', content: text }], ...extra };
}

/** An agent step: the user's task, the assistant's tool call, the tool's result (the last message). */
export function toolStep(task: string, tool: string, args: Record<string, unknown>, result: string): Record<string, unknown> {
  return {
    model: 'auto',
    tools: [{ type: 'function', function: { name: tool, description: `the ${tool} tool`, parameters: { type: 'object', properties: {} } } }],
    messages: [
      { role: 'user', content: task },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: tool, arguments: JSON.stringify(args) } }] },
      { role: 'tool', tool_call_id: 'call_1', content: result },
    ],
  };
}

/** Items of one category from [label, text] rows, ids `<prefix>-<category>-<n>`. */
export function itemsOf(prefix: string, category: Category, rows: readonly Row[], extra: Record<string, unknown> = {}): DevItem[] {
  return rows.map(([label, text], i) => ({ id: `${prefix}-${category}-${i + 1}`, category, label, body: userTurn(text, extra) }));
}
