/** The guardrail-action summary: detector and action names only, each once, bounded; the plan keeps only well-formed entries. */
import { GuardActions, MAX_ACTION_ENTRIES, restoreActionEntries } from '../../../lib/guardrails/actions';
import { restoreGuardrailPlan } from '../../../lib/guardrails/plan';

describe('guardrail actions', () => {
  it('keeps each entry once in the order taken, marks the answer’s, and is null when nothing acted', () => {
    const actions = new GuardActions();
    expect(actions.summary()).toBeNull();
    actions.note('pii', 'redact');
    actions.note('secrets', 'monitor');
    actions.note('pii', 'redact');
    actions.note('secrets', 'block', 'response');
    expect(actions.summary()).toBe('pii:redact,secrets:monitor,response:secrets:block');
    // A refused request was sent nowhere: its redactions did not happen.
    expect(actions.refusalSummary()).toBe('secrets:monitor,response:secrets:block');
  });

  it('refuses free text (a matched value can never be an entry) and stops at the bound', () => {
    const actions = new GuardActions(['pii:redact', 'jane@example.com:redact', 'pii:delete', 'PII:redact', `${'a'.repeat(40)}:block`]);
    expect(actions.list()).toEqual(['pii:redact']);
    for (let i = 0; i < 40; i++) actions.note(`d${i}`, 'monitor');
    expect(actions.list()).toHaveLength(MAX_ACTION_ENTRIES);
    expect(restoreActionEntries('pii:redact')).toEqual([]);
    expect(restoreActionEntries(['pii:redact', 7, 'pii:redact', 'x y:block'])).toEqual(['pii:redact']);
  });

  it('ride the guardrail plan alone (a monitor-only route), and bad entries are dropped when it is read back', () => {
    expect(restoreGuardrailPlan({ actions: ['pii:monitor'] })).toEqual({ actions: ['pii:monitor'] });
    expect(restoreGuardrailPlan({ actions: ['<script>:block'] })).toBeUndefined();
  });
});
