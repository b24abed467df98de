/** What a request allows the model to generate, and what a completion generated. */

/** The output allowance a request asked for, or null when it set none. */
export function requestedMaxOutput(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const value = body[field];
    if (Number.isInteger(value) && (value as number) > 0) return value as number;
  }
  return null;
}

/** A message or a stream delta, as far as generated text goes. */
export interface GeneratedParts {
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>;
}

/** What one message or delta generated: content, reasoning and tool-call names and arguments (what the provider bills as output). */
export function generatedText(parts: GeneratedParts | undefined): string {
  if (!parts) return '';
  let text = (parts.content ?? '') + (parts.reasoning_content ?? '');
  for (const call of parts.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  return text;
}

/** The generated text of a completion, every choice. */
export function completionText(completion: { choices?: Array<{ message?: GeneratedParts }> }): string {
  return (completion.choices ?? []).map((choice) => generatedText(choice.message)).join('');
}
