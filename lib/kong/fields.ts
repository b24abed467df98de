/** Schema fields several plugins declare the same way. */
import { string } from './schema-builder';

/** The HMAC secret shared between plugins and sidecars; a vault reference keeps it out of Kong's database. */
export function signingSecretField(description: string) {
  return string({ required: true, referenceable: true, encrypted: true, len_min: 32, description });
}
