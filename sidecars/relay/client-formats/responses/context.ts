/**
 * A response's output as input items, for the context a later request continues
 * (previous_response_id): the model's text as an assistant message, its function calls as
 * function_call items. Ids, statuses and annotations are left out, and so is reasoning: its ids
 * name items only the provider that wrote them may hold, and the gateway keeps the context so any
 * target can continue it. The same for the gateway's answers and OpenAI's own (pass-through).
 */
type Item = Record<string, unknown>;

export function outputAsInput(output: unknown): Item[] {
  if (!Array.isArray(output)) return [];
  const items: Item[] = [];
  for (const item of output as Item[]) {
    if (item?.type === 'message') {
      const text = Array.isArray(item.content) ? (item.content as Item[]).map(partText).join('') : '';
      if (text !== '') items.push({ role: 'assistant', content: text });
    } else if (item?.type === 'function_call') {
      items.push({ type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return items;
}

function partText(part: Item): string {
  if (part?.type === 'output_text' && typeof part.text === 'string') return part.text;
  if (part?.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
  return '';
}
