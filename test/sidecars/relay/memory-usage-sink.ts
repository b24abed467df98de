/** Usage records kept in memory, for relay tests that read what was recorded. */
import type { UsageRecord, UsageSink } from '../../../sidecars/relay/usage';

export class MemoryUsageSink implements UsageSink {
  readonly records: UsageRecord[] = [];
  constructor(private readonly limit = 10000) {}
  record(entry: UsageRecord): void {
    this.records.push(entry);
    if (this.records.length > this.limit) this.records.shift();
  }
  async close(): Promise<void> {}
}
