/**
 * The guardrail actions a request went through, as the spend ledger and the request log record
 * them: `detector:action` entries (`pii:redact`), the answer's own marked `response:`
 * (`response:secrets:block`), each once, in the order first taken, joined with commas
 * (`pii:redact,secrets:monitor`). Detector and action names only: never what matched.
 */

/** At most this many entries are kept (a route has a handful of detectors and three actions). */
export const MAX_ACTION_ENTRIES = 16;

/** `[response:]detector:action`: names the code chose, so a plan or a row can never carry free text. */
const ENTRY = /^(response:)?[a-z][a-z0-9_]{0,31}:(monitor|redact|block)$/;

export type GuardPhaseName = 'request' | 'response';

export function actionEntry(detector: string, action: string, phase: GuardPhaseName = 'request'): string {
  return `${phase === 'response' ? 'response:' : ''}${detector}:${action}`;
}

/** The distinct, well-formed entries of a list read back from a plan, bounded. */
export function restoreActionEntries(value: unknown): string[] {
  const out = new GuardActions();
  if (Array.isArray(value)) for (const entry of value) if (typeof entry === 'string') out.add(entry);
  return out.list();
}

/** One request's actions, collected as detectors act. */
export class GuardActions {
  private readonly entries: string[] = [];

  constructor(seed: readonly string[] = []) {
    for (const entry of seed) this.add(entry);
  }

  note(detector: string, action: string, phase: GuardPhaseName = 'request'): void {
    this.add(actionEntry(detector, action, phase));
  }

  add(entry: string): void {
    if (this.entries.length < MAX_ACTION_ENTRIES && ENTRY.test(entry) && !this.entries.includes(entry)) this.entries.push(entry);
  }

  list(): string[] {
    return [...this.entries];
  }

  /** The ledger's and request log's `guardrail_actions`; null when no detector acted. */
  summary(): string | null {
    return this.entries.length > 0 ? this.entries.join(',') : null;
  }

  /** A refused request's: it was sent nowhere, so its redactions never happened; what blocked and what was monitored did. */
  refusalSummary(): string | null {
    const done = this.entries.filter((entry) => !entry.endsWith(':redact'));
    return done.length > 0 ? done.join(',') : null;
  }
}
