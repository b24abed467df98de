/** What a request allows the model to generate, and what a completion generated. */

/** The output allowance a request asked for, or null when it set none. */
export function requestedMaxOutput(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const value = body[field];
    if (Number.isInteger(value) && (value as number) > 0) return value as number;
  }
  return null;
}

/** The generated text of a completion: content, reasoning and tool-call arguments (what the provider bills as output). */
export function completionText(completion: { choices?: Array<{ message?: { content?: string | null; reasoning_content?: string | null; tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }> }): string {
  let text = '';
  for (const choice of completion.choices ?? []) {
    const message = choice.message ?? {};
    text += (message.content ?? '') + (message.reasoning_content ?? '');
    for (const call of message.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  }
  return text;
}
