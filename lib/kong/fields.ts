/** Schema fields several plugins declare the same way. */
import type { KongField } from './schema';

/** The HMAC secret shared between plugins and sidecars; a vault reference keeps it out of Kong's database. */
export function signingSecretField(description: string): KongField {
  return { type: 'string', required: true, referenceable: true, encrypted: true, len_min: 32, description };
}
