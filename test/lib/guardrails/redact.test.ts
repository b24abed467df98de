import {
  createRedactionSession,
  createStreamRestorer,
  type Finding,
  MAX_PLACEHOLDER_LENGTH,
  piiDetector,
  placeholderLabel,
  restorePlaceholders,
} from '../../../lib/guardrails';

const pii = piiDetector({ types: ['email', 'phone'], defaultCountry: 'US' });

describe('redaction', () => {
  it('gives each distinct value its own numbered placeholder, the same value the same one, across messages', () => {
    const session = createRedactionSession();
    const first = 'Mail ann@example.com or bob@example.com, or call +1 415 555 2671.';
    const second = 'Again: ann@example.com.';
    expect(session.redact(first, pii.detect(first))).toBe('Mail <EMAIL_1> or <EMAIL_2>, or call <PHONE_1>.');
    expect(session.redact(second, pii.detect(second))).toBe('Again: <EMAIL_1>.');
    expect([...session.restorations]).toEqual([
      ['<EMAIL_1>', 'ann@example.com'],
      ['<EMAIL_2>', 'bob@example.com'],
      ['<PHONE_1>', '+1 415 555 2671'],
    ]);
  });

  it('merges overlapping findings into one placeholder (the earliest, longest)', () => {
    const text = '0123456789';
    const findings: Finding[] = [
      { detector: 'secrets', type: 'high_entropy', start: 4, end: 9 },
      { detector: 'secrets', type: 'openai_key', start: 2, end: 6 },
    ];
    expect(createRedactionSession().redact(text, findings)).toBe('01<OPENAI_KEY_1>9');
  });

  it('makes labels of capitals, digits and underscores only, bounded', () => {
    expect(placeholderLabel('ip_address')).toBe('IP_ADDRESS');
    expect(placeholderLabel('weird-type!'.repeat(10)).length).toBe(32);
  });

  it('restores known placeholders and leaves others alone', () => {
    const restorations = new Map([['<EMAIL_1>', 'ann@example.com']]);
    expect(restorePlaceholders('Hi <EMAIL_1>, not <EMAIL_9> or <b>', restorations)).toBe('Hi ann@example.com, not <EMAIL_9> or <b>');
  });
});

describe('stream restorer', () => {
  const restorations = new Map([
    ['<EMAIL_1>', 'ann@example.com'],
    ['<PHONE_12>', '+1 415 555 2671'],
  ]);
  const answer = 'Write to <EMAIL_1> or call <PHONE_12>; <not a placeholder> stays, and so does a < b.';
  const restored = 'Write to ann@example.com or call +1 415 555 2671; <not a placeholder> stays, and so does a < b.';

  it('restores placeholders split at every possible point', () => {
    for (let cut = 0; cut <= answer.length; cut++) {
      const restorer = createStreamRestorer(restorations);
      expect(restorer.push(answer.slice(0, cut)) + restorer.push(answer.slice(cut)) + restorer.end()).toBe(restored);
    }
  });

  it('restores a stream of one-character chunks, holding back only what could still be a placeholder', () => {
    const restorer = createStreamRestorer(restorations);
    let out = '';
    for (const ch of answer) {
      out += restorer.push(ch);
      expect(answer.length).toBeGreaterThan(0);
    }
    expect(out + restorer.end()).toBe(restored);
  });

  it('never holds back more than the longest placeholder', () => {
    const restorer = createStreamRestorer(restorations);
    const released = restorer.push('x <ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(released.length).toBeGreaterThan(0);
    expect(restorer.end().length).toBeLessThanOrEqual(MAX_PLACEHOLDER_LENGTH);
  });
});
