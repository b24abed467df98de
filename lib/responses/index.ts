/** Responses kept for `previous_response_id`: where they live (keys.ts) and how they are read and written (store.ts). */
export { previousResponseNotFound } from './errors';
export { type ResponseOwner, responseKeys, responseTenant } from './keys';
export { RESPONSES_TTL_SECONDS_DEFAULT, RESPONSES_TTL_SECONDS_MAX, ResponseStore } from './store';
