/** One version for every plugin and sidecar of the suite; a unit test keeps it equal to package.json. */
export const GATEWAY_VERSION = '0.1.0';
