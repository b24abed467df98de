/**
 * Messages as strictly alternating turns, as Anthropic and Gemini want them: a message of the
 * last turn's role joins that turn, and an empty one makes no turn (its neighbours merge).
 */
export class AlternatingTurns<Role, Item> {
  readonly list: Array<{ role: Role; items: Item[] }> = [];

  push(role: Role, items: Item[]): void {
    if (items.length === 0) return;
    const last = this.list[this.list.length - 1];
    if (last && last.role === role) last.items.push(...items);
    else this.list.push({ role, items: [...items] });
  }
}
