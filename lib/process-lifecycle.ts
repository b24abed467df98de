/** How a sidecar process starts and stops: one way for the relay and the control API. */
import { createLogger } from './log';

/** On SIGINT or SIGTERM, runs `close` and exits: 0 when it resolved, 1 when it failed. */
export function exitOnSignal(close: () => Promise<unknown>): void {
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Runs `main`; a failure to start is one JSON log line on stderr (its error's message and code) and exit code 1. */
export function runProcess(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    createLogger(name).error(`${name} failed to start`, { error });
    process.exit(1);
  });
}
