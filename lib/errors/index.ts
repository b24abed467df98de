export { type ClientFormatName, clientFormatOf, errorBody } from './client-format';
export { failed, type GatewayError, gatewayError, ok, type Result } from './gateway-error';
