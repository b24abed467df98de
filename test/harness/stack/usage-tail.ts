/**
 * Follows the relay's usage log (RELAY_USAGE_LOG, one JSON record per line) as it grows: each
 * new complete line is parsed and handed on. Reads when the file changes and whenever asked
 * (`poll`), so a caller that expects a record can look at once instead of waiting for the event.
 */
import { closeSync, type FSWatcher, openSync, readSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { UsageRecord } from '../../../sidecars/relay/usage';

export class UsageTail {
  private offset = 0;
  /** Bytes after the last newline: a record still being written. */
  private partial: Buffer = Buffer.alloc(0);
  private readonly watcher: FSWatcher;

  constructor(
    private readonly file: string,
    private readonly onRecord: (record: UsageRecord) => void,
  ) {
    // The folder, not the file: the relay may create the file after this starts.
    this.watcher = watch(dirname(file), (_event, name) => {
      if (name === null || name === basename(file)) this.poll();
    });
  }

  /** Reads what was appended since the last read. */
  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const chunk = Buffer.alloc(64 * 1024);
      const pieces: Buffer[] = [];
      for (let n = readSync(fd, chunk, 0, chunk.length, this.offset); n > 0; n = readSync(fd, chunk, 0, chunk.length, this.offset)) {
        pieces.push(Buffer.from(chunk.subarray(0, n)));
        this.offset += n;
      }
      this.emit(Buffer.concat([this.partial, ...pieces]));
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    this.watcher.close();
  }

  private emit(bytes: Buffer): void {
    const end = bytes.lastIndexOf(0x0a);
    this.partial = bytes.subarray(end + 1);
    if (end < 0) return;
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        this.onRecord(JSON.parse(line) as UsageRecord);
      } catch {
        // a line that is not JSON is not a usage record
      }
    }
  }
}
