import { pluginLog } from '../../../lib/kong/log';
import type { Kong } from '../../../lib/kong/pdk';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function fakeKong(options: { broken?: boolean } = {}): { kong: Kong; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => async (line: string) => void lines.push([level, line]);
  const kong = {
    nginx: {
      getVar: async (name: string) => {
        if (options.broken) throw new Error('no PDK');
        return name === 'kong_request_id' ? 'f'.repeat(32) : undefined;
      },
    },
    request: { getHeader: async (name: string) => (name === 'traceparent' ? `00-${TRACE}-00f067aa0ba902b7-01` : undefined) },
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), err: at('err') },
  } as unknown as Kong;
  return { kong, lines };
}

const saved = process.env.AIGW_LOG_LEVEL;
afterEach(() => {
  if (saved === undefined) delete process.env.AIGW_LOG_LEVEL;
  else process.env.AIGW_LOG_LEVEL = saved;
});

test("a plugin's line is our JSON line with the request's ids, redacted, at Kong's level of the same name", async () => {
  delete process.env.AIGW_LOG_LEVEL;
  const { kong, lines } = fakeKong();
  await pluginLog(kong, 'aigw-proxy', 'error', 'stats unavailable', { error: new Error('redis://:pw@h:1 refused'), prompt: 'hi' });
  expect(lines).toHaveLength(1);
  const [level, text] = lines[0]!;
  expect(level).toBe('err');
  expect(JSON.parse(text)).toEqual({
    time: expect.any(String),
    level: 'error',
    service: 'aigw-proxy',
    component: 'aigw-proxy',
    msg: 'stats unavailable',
    request_id: 'f'.repeat(32),
    trace_id: TRACE,
    error: { name: 'Error', message: 'redis://:[redacted]@h:1 refused' },
    prompt: '[redacted]',
  });
});

test('below AIGW_LOG_LEVEL nothing is asked of Kong; a PDK that fails costs the ids, not the line', async () => {
  const quiet = fakeKong();
  await pluginLog(quiet.kong, 'p', 'debug', 'hidden');
  expect(quiet.lines).toEqual([]);
  process.env.AIGW_LOG_LEVEL = 'debug';
  await pluginLog(quiet.kong, 'p', 'debug', 'shown');
  expect(quiet.lines.map(([level]) => level)).toEqual(['debug']);
  const broken = fakeKong({ broken: true });
  await pluginLog(broken.kong, 'p', 'warn', 'still written');
  expect(JSON.parse(broken.lines[0]![1])).not.toHaveProperty('request_id');
});
