import type { Detector, Finding } from '../types';
import { findCards } from './card';
import { findDatesOfBirth } from './dob';
import { findEmails } from './email';
import { findIbans } from './iban';
import { findIpAddresses } from './ip';
import { findNamesAndAddresses } from './names';
import { findPhones, type PhoneOptions } from './phone';
import { findSsns } from './ssn';

export const PII_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip_address', 'date_of_birth', 'person_name', 'address'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface PiiOptions extends PhoneOptions {
  /** Which types to look for; all by default. */
  types?: readonly PiiType[];
}

const FINDERS: Record<PiiType, (text: string, options: PiiOptions) => Finding[]> = {
  email: findEmails,
  phone: findPhones,
  card: findCards,
  iban: findIbans,
  ssn: findSsns,
  ip_address: findIpAddresses,
  date_of_birth: findDatesOfBirth,
  person_name: (text) => findNamesAndAddresses(text).filter((f) => f.type === 'person_name'),
  address: (text) => findNamesAndAddresses(text).filter((f) => f.type === 'address'),
};

export function piiDetector(options: PiiOptions = {}): Detector {
  const types = options.types ?? PII_TYPES;
  return { name: 'pii', detect: (text) => types.flatMap((type) => FINDERS[type](text, options)) };
}
