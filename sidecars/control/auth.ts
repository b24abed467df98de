/**
 * The control API trusts no network position: only an admin identity that aigw-virtual-key
 * signed for this very Kong request id, for this method, request-target and body, that has not
 * expired and has not been presented before, gets through.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AdminIdentity } from '../../lib/admin-identity';
import { IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { sha256Hex } from '../../lib/plan';
import { canonicalTarget, splitTarget } from '../../lib/request-target';
import { openEnvelope } from '../../lib/signing';
import { SingleUse } from '../../lib/single-use';
import { ApiError } from './api-error';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** An identity whose signature, shape and expiry are fine, not yet matched to its request. */
export interface OpenedIdentity {
  identity: AdminIdentity;
  requestId: string;
}

/** What the control API received, as the identity binds it. */
export interface ReceivedRequest {
  method: string;
  /** req.url: the request-target exactly as it arrived. */
  target: string;
  body: Buffer;
}

/** What an identity for this request must bind. */
export function bindingOf(request: ReceivedRequest): Pick<AdminIdentity, 'method' | 'path' | 'bodySha256'> {
  const { path, query } = splitTarget(request.target);
  return { method: request.method, path: canonicalTarget(path, query), bodySha256: sha256Hex(request.body) };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function isAdminIdentity(id: Partial<AdminIdentity> | null): id is AdminIdentity {
  return (
    typeof id === 'object' &&
    id !== null &&
    typeof id.keyId === 'string' &&
    typeof id.expiresAt === 'number' &&
    (id.role === 'admin' || id.role === 'user') &&
    typeof id.method === 'string' &&
    typeof id.path === 'string' &&
    typeof id.bodySha256 === 'string' &&
    SHA256_HEX.test(id.bodySha256)
  );
}

const refuse = (message: string, code: string): ApiError => new ApiError(401, message, code);

export class AdminVerifier {
  /** Request ids of identities already accepted, until they expire. */
  private readonly used: SingleUse;

  constructor(
    private readonly secret: string,
    private readonly maxLiveIdentities = 100_000,
  ) {
    this.used = new SingleUse(maxLiveIdentities);
  }

  /** Signature, shape and expiry: everything that can be checked before the body is read. */
  open(headers: IncomingHttpHeaders, now: number = Date.now()): OpenedIdentity {
    const payload = header(headers, IDENTITY_HEADER);
    const signature = header(headers, IDENTITY_SIGNATURE_HEADER);
    const requestId = header(headers, REQUEST_ID_HEADER);
    if (!payload || !signature) throw refuse('Missing admin identity: call the control API through Kong with an admin key', 'missing_identity');
    const opened = openEnvelope<Partial<AdminIdentity> | null>({ payload, signature }, requestId, this.secret);
    if (!opened.ok || !requestId) throw refuse('Invalid admin identity signature', 'invalid_identity');
    if (!isAdminIdentity(opened.value)) throw refuse('Malformed admin identity', 'invalid_identity');
    if (opened.value.expiresAt <= now) throw refuse('Admin identity expired', 'expired_identity');
    return { identity: opened.value, requestId };
  }

  /**
   * The identity's binding to the request received, then single use, then the role. A binding
   * that does not match is a 401 whatever the cause (a replay elsewhere, or a proxy between Kong
   * and the control API that rewrote the target): never a pass.
   */
  accept({ identity, requestId }: OpenedIdentity, request: ReceivedRequest, now: number = Date.now()): AdminIdentity {
    const received = bindingOf(request);
    if (identity.method !== received.method) throw refuse(`The admin identity was signed for ${identity.method}, not ${received.method}`, 'identity_mismatch');
    if (identity.path !== received.path) throw refuse(`The admin identity was signed for the path ${identity.path}, not ${received.path}`, 'identity_mismatch');
    if (identity.bodySha256 !== received.bodySha256) throw refuse('The admin identity was signed for another request body', 'identity_mismatch');
    if (!this.used.claim(requestId, identity.expiresAt, now)) {
      // Fail closed either way; only the message differs.
      if (this.used.size >= this.maxLiveIdentities) throw new ApiError(503, 'Too many admin requests in flight; retry shortly', 'identity_capacity');
      throw refuse('This admin identity was already used', 'identity_replayed');
    }
    if (identity.role !== 'admin') throw new ApiError(403, 'This key is not an admin key', 'admin_required');
    return identity;
  }
}
