import { piiDetector } from '../../../lib/guardrails';
import { ibanChecksumValid, luhnValid } from '../../../lib/guardrails/checksums';
import { ssnValid } from '../../../lib/guardrails/pii/ssn';

const pii = piiDetector({ defaultCountry: 'US' });
/** What each finding covers, as `type:text`, in order. */
const found = (text: string, detector = pii): string[] =>
  detector
    .detect(text)
    .sort((a, b) => a.start - b.start)
    .map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

describe('checksums', () => {
  it('Luhn accepts issued test numbers and refuses a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('41x1')).toBe(false);
  });
  it('IBAN mod 97 accepts the registry examples and refuses swapped digits', () => {
    expect(ibanChecksumValid('GB29NWBK60161331926819')).toBe(true);
    expect(ibanChecksumValid('GB29NWBK60161331926891')).toBe(false);
  });
  it('SSN rules refuse area 000, 666 and 9xx, group 00, serial 0000 and published examples', () => {
    expect(ssnValid('536221987')).toBe(true);
    for (const bad of ['000221987', '666221987', '912221987', '536001987', '536220000', '078051120']) expect(ssnValid(bad)).toBe(false);
  });
});

describe('PII detectors', () => {
  it('finds e-mail addresses without the sentence full stop', () => {
    expect(found('Write to jane.doe+x@mail.example.co.uk. Thanks')).toEqual(['email:jane.doe+x@mail.example.co.uk']);
    expect(found('an @ sign, user@localhost and a@b.c are not addresses')).toEqual([]);
  });

  it('finds cards grouped or plain, and refuses Luhn failures, unknown issuers and glued ids', () => {
    expect(found('card 4111 1111 1111 1111 and 5555-5555-5555-4444 and 378282246310005')).toEqual([
      'card:4111 1111 1111 1111',
      'card:5555-5555-5555-4444',
      'card:378282246310005',
    ]);
    expect(found('order 4111111111111112, ref 1234 5678 9012 3456, id A4111111111111111')).toEqual([]);
    // Mixed separators are not one number.
    expect(found('4111 1111-1111 1111')).toEqual([]);
  });

  it('finds a card followed by more digits (an expiry year) by whole groups', () => {
    expect(found('4111 1111 1111 1111 2027')).toEqual(['card:4111 1111 1111 1111']);
  });

  it('finds IBANs of the country length, grouped or not, and stops at the length', () => {
    expect(found('IBAN DE89 3704 0044 0532 0130 00 EUR')).toEqual(['iban:DE89 3704 0044 0532 0130 00']);
    expect(found('to NL91ABNA0417164300.')).toEqual(['iban:NL91ABNA0417164300']);
    expect(found('DE00 3704 0044 0532 0130 00 and XX89370400440532013000')).toEqual([]);
  });

  it('finds SSNs grouped, or plain only after a cue', () => {
    expect(found('SSN 536-22-1987; ssn: 401228765; a long way further on, the id 401228765')).toEqual(['ssn:536-22-1987', 'ssn:401228765']);
    expect(found('form 666-22-1987 and 123-45-6789')).toEqual([]);
  });

  it('finds IPv4 and IPv6 addresses but not versions, MACs, times or C++ scopes', () => {
    expect(found('from 203.0.113.42 and 2001:db8:85a3::8a2e:370:7334')).toEqual(['ip_address:203.0.113.42', 'ip_address:2001:db8:85a3::8a2e:370:7334']);
    expect(found('v1.2.3.4, 1.2.3.4.5, 999.1.1.1, 00:1A:2B:3C:4D:5E, 12:30:45, std::vector, ::1')).toEqual([]);
  });

  it('finds dates of birth only near a cue', () => {
    expect(found('DOB: 03/07/1985. Born on the 3rd of May 1990; born 22nd of March 2001')).toEqual([
      'date_of_birth:03/07/1985',
      'date_of_birth:3rd of May 1990',
      'date_of_birth:22nd of March 2001',
    ]);
    expect(found('signed on 14 February 1990, founded 1999-03-02')).toEqual([]);
  });

  it('finds phone numbers the library validates, not references or identifiers', () => {
    expect(found('call +1 (415) 555-2671 or +44 20 7946 0958')).toEqual(['phone:+1 (415) 555-2671', 'phone:+44 20 7946 0958']);
    expect(found('order 6502530000, INV-2024-000123, tracking 4155552671')).toEqual([]);
  });

  it('reads national numbers in the configured country', () => {
    const uk = piiDetector({ types: ['phone'], defaultCountry: 'GB' });
    expect(found('ring 020 7946 0958', uk)).toEqual(['phone:020 7946 0958']);
    expect(found('ring 020 7946 0958', piiDetector({ types: ['phone'], defaultCountry: 'US' }))).toEqual([]);
  });

  it('finds names after cues and common first names, and addresses with a street suffix', () => {
    expect(found("Dr. Anna Kowalski met Kevin O'Brien; my name is Li Wei")).toEqual([
      'person_name:Anna Kowalski',
      "person_name:Kevin O'Brien",
      'person_name:Li Wei',
    ]);
    expect(found('Ship to 1600 Amphitheatre Parkway, Mountain View, CA 94043 or PO Box 12')).toEqual([
      'address:1600 Amphitheatre Parkway, Mountain View, CA 94043',
      'address:PO Box 12',
    ]);
  });

  it('does not find names without a cue (the documented recall limit)', () => {
    expect(found('Tomasz and Nkechi will review it.')).toEqual([]);
  });

  it('reports each stretch once though two cues found it', () => {
    expect(found('Dr. Sarah Johnson')).toEqual(['person_name:Sarah Johnson']);
  });

  it('looks only for the configured types', () => {
    expect(found('jane@example.com 4111111111111111', piiDetector({ types: ['card'] }))).toEqual(['card:4111111111111111']);
  });
});
