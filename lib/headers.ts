/** Header names shared by aigw-proxy (which sets them) and the relay (which checks them). */
export const PLAN_HEADER = 'x-aigw-plan';
export const PLAN_SIGNATURE_HEADER = 'x-aigw-plan-signature';
export const REQUEST_ID_HEADER = 'x-kong-request-id';
/** Headers a client must never be able to smuggle past aigw-proxy to the relay. */
export const INTERNAL_HEADERS = [PLAN_HEADER, PLAN_SIGNATURE_HEADER];

/** Headers carrying the signed admin identity from Kong to the control API. */
export const IDENTITY_HEADER = 'x-aigw-identity';
export const IDENTITY_SIGNATURE_HEADER = 'x-aigw-identity-signature';

/** On a token count the gateway made itself (its tokenizer, not the provider's): `true`. */
export const TOKENS_ESTIMATED_HEADER = 'x-aigw-tokens-estimated';
