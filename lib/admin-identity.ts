import type { KeyRole } from './identity';

/**
 * What aigw-virtual-key signs (lib/signing.ts signEnvelope, bound to the Kong request id) after
 * it verified an admin key on the /admin route; the control API accepts nothing else. Like a
 * route plan it is bound to one request: the control API checks method, request-target and body
 * against what it received, and accepts each identity once.
 */
export interface AdminIdentity {
  keyId: string;
  role: KeyRole;
  /** Epoch ms after which the control API refuses the envelope. */
  expiresAt: number;
  /** The HTTP method Kong forwards. */
  method: string;
  /**
   * The request-target the control API receives, in lib/request-target.ts canonicalTarget form:
   * Kong's upstream path (normalised and escaped by its router), then `?query` as the client sent it.
   */
  path: string;
  /** SHA-256 (hex) of the request body ('' when there is none). */
  bodySha256: string;
}

/** The largest request body the control API reads; aigw-virtual-key refuses larger ones (413) before signing. */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;
