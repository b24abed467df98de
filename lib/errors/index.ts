export { failed, gatewayError, ok, type GatewayError, type Result } from './gateway-error';
export { clientFormatOf, errorBody, type ClientFormatName } from './client-format';
