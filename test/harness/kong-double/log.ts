/**
 * Ingress log sink. Kong writes plugin-server output and its own errors to the nginx error log;
 * the test double keeps them in memory (tests assert on them) and forwards each to `onLog`.
 */
export type IngressLogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'err' | 'crit' | 'alert' | 'emerg';

export interface IngressLogEntry {
  level: IngressLogLevel;
  /** 'ingress' or the plugin name */
  source: string;
  message: string;
  time: number;
}

export class IngressLogger {
  readonly entries: IngressLogEntry[] = [];
  private readonly verbose = process.env.INGRESS_VERBOSE === '1';

  constructor(private readonly onLog?: (e: IngressLogEntry) => void) {}

  log(level: IngressLogLevel, source: string, message: string): void {
    const e: IngressLogEntry = { level, source, message, time: Date.now() };
    this.entries.push(e);
    // Keep memory bounded in long dev sessions.
    if (this.entries.length > 10000) this.entries.splice(0, this.entries.length - 10000);
    if (this.verbose) process.stderr.write(`[ingress] ${level} [${source}] ${message}\n`);
    if (this.onLog) {
      try {
        this.onLog(e);
      } catch {
        // a broken sink must not break request handling
      }
    }
  }
}
