import { disjointFindings } from '../findings';
import type { Detector, Finding } from '../types';
import { findCards } from './card';
import { findDatesOfBirth } from './dob';
import { findEmails } from './email';
import { findIbans } from './iban';
import { findIpAddresses } from './ip';
import { findNamesOrAddresses } from './names';
import { type PhoneOptions, phoneFinder } from './phone';
import { findSsns } from './ssn';

export const PII_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip_address', 'date_of_birth', 'person_name', 'address'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface PiiOptions extends PhoneOptions {
  /** Which types to look for; all by default. */
  types?: readonly PiiType[];
}

const FINDERS: Record<Exclude<PiiType, 'phone'>, (text: string) => Finding[]> = {
  email: findEmails,
  card: findCards,
  iban: findIbans,
  ssn: findSsns,
  ip_address: findIpAddresses,
  date_of_birth: findDatesOfBirth,
  person_name: (text) => findNamesOrAddresses(text, 'person_name'),
  address: (text) => findNamesOrAddresses(text, 'address'),
};

export function piiDetector(options: PiiOptions = {}): Detector {
  const types = options.types ?? PII_TYPES;
  const finders = { ...FINDERS, phone: phoneFinder(options) }; // each detector its own phone cache
  // Two cues can find the same name ("Dr." and the first-name list): one finding per stretch of text.
  return { name: 'pii', detect: (text) => types.flatMap((type) => disjointFindings(finders[type](text))) };
}
