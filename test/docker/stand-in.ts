/**
 * A stand-in for the compose stack where Docker is missing: the local stack (the Kong test
 * double, real plugin servers, relay, control API, stores, mock) running the end-to-end deck,
 * and the AIGW_E2E_* variables that point a remote run at it. It rehearses the suite's remote
 * mode; it says nothing about real Kong.
 *
 *   npx tsx test/docker/stand-in.ts     # prints the variables, runs until Ctrl-C
 */
import { changesAfterRewrite, withAzureDeployments } from '../harness/stack/e2e-deck';
import { REMOTE_ENV, REMOTE_RUN } from '../harness/stack/remote-stack';
import { freePort } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';

export interface StandIn {
  stack: DevStack;
  /** The environment of a remote run against this stack. */
  env: Record<string, string>;
}

export async function startStandIn(): Promise<StandIn> {
  if (REMOTE_RUN) throw new Error(`${REMOTE_ENV.url} is set: the stand-in starts a local stack, so unset it first`);
  // A free port here plays the compose stack's dead relay port.
  const stack = await startDevStack({ env: {}, sourceTransform: withAzureDeployments, deckTransform: changesAfterRewrite(await freePort()) });
  const env = {
    [REMOTE_ENV.url]: stack.url,
    [REMOTE_ENV.adminKey]: stack.adminKey,
    [REMOTE_ENV.mockUrl]: stack.mock.url,
    [REMOTE_ENV.redisUrl]: stack.stores.redisUrl,
    [REMOTE_ENV.databaseUrl]: stack.stores.databaseUrl,
    [REMOTE_ENV.usageLog]: stack.usageLogPath,
  };
  return { stack, env };
}

async function main(): Promise<void> {
  const { stack, env } = await startStandIn();
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`);
  console.log('# then: npx jest test/e2e --runInBand --verbose   (Ctrl-C here stops the stand-in)');
  const stop = (): void => void stack.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
