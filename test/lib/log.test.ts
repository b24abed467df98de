import { createLogger, type LogLevel } from '../../lib/log';

describe('createLogger', () => {
  it.each(['constructor', 'toString', 'verbose'])('treats an unknown level (%s, e.g. from AIGW_LOG_LEVEL) as info', (level) => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const log = createLogger('test', level as LogLevel);
      log.debug('hidden');
      log.info('shown');
    } finally {
      spy.mockRestore();
    }
    expect(written.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
  });
});
