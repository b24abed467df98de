/**
 * Partials that cannot be linked (cycles, missing, too deep), render bounds (output size,
 * expansions), and hostile sources and views: compile and render time must grow linearly. Each
 * input is timed at two sizes four times apart, best of five runs in CPU time after a warm-up:
 * linear work takes about 4× as long, quadratic 16×; the bound is 10× (see
 * test/lib/compression/linear.test.ts for why) plus a few milliseconds of timer slack.
 */
import { MAX_PARTIAL_DEPTH, MAX_RENDER_NESTING, MAX_SECTION_NESTING, MAX_TEMPLATE_CHARS } from '../../../lib/templates/bounds';
import { compileTemplate } from '../../../lib/templates/compile';
import { TemplateError } from '../../../lib/templates/errors';
import { bestCpuMs } from '../../harness/cpu-time';
import { errorOf, render } from './helpers';

describe('linking partials', () => {
  test('a cycle is refused, naming it from where it closes', () => {
    const error = errorOf(() => render('{{>a}}', {}, { a: 'A{{>b}}', b: 'B{{#x}}{{>c}}{{/x}}', c: '{{>b}}' }));
    expect(error).toMatchObject({ code: 'partial_cycle', message: 'Partials include each other in a cycle: b → c → b', details: { names: ['b', 'c', 'b'] } });
  });

  test('a cycle is refused even inside a section the data would never enter', () => {
    expect(errorOf(() => render('{{#never}}{{>a}}{{/never}}', {}, { a: '{{>a}}' })).code).toBe('partial_cycle');
  });

  test('the same partial used twice (a diamond) is no cycle', () => {
    expect(render('{{>a}}{{>b}}', { v: 1 }, { a: '[{{>c}}]', b: '({{>c}})', c: '{{v}}' })).toBe('[1](1)');
  });

  test('a missing partial deep down names the partial that includes it', () => {
    expect(errorOf(() => render('{{>a}}', {}, { a: '{{>b}}' })).message).toBe("Partial 'b' (included by 'a') does not exist");
  });

  test(`a chain of ${MAX_PARTIAL_DEPTH} partials links, one more does not`, () => {
    const chain = (length: number) =>
      Object.fromEntries(Array.from({ length }, (_, index) => [`p${index}`, index + 1 < length ? `{{>p${index + 1}}}` : 'end']));
    expect(render('{{>p0}}', {}, chain(MAX_PARTIAL_DEPTH))).toBe('end');
    const error = errorOf(() => render('{{>p0}}', {}, chain(MAX_PARTIAL_DEPTH + 1)));
    expect(error.code).toBe('template_nesting');
    expect(error.message).toContain('p0 → p1');
  });

  test('sections nested through partials are bounded in total', () => {
    const sections = (depth: number) => `${'{{#a}}'.repeat(depth)}x${'{{/a}}'.repeat(depth)}`;
    const partials = { p: sections(MAX_SECTION_NESTING) };
    // 32 sections + one partial + 31 sections around it: 64, the limit.
    expect(() => render(`${'{{#a}}'.repeat(MAX_RENDER_NESTING - MAX_SECTION_NESTING - 1)}{{>p}}${'{{/a}}'.repeat(31)}`, {}, partials)).not.toThrow();
    expect(errorOf(() => render(`${'{{#a}}'.repeat(MAX_RENDER_NESTING - MAX_SECTION_NESTING)}{{>p}}${'{{/a}}'.repeat(32)}`, {}, partials)).code).toBe(
      'template_nesting',
    );
  });
});

describe('compile bounds', () => {
  test(`sections nest at most ${MAX_SECTION_NESTING} levels in one source`, () => {
    const nested = (depth: number) => `${'{{#a}}'.repeat(depth)}${'{{/a}}'.repeat(depth)}`;
    expect(() => compileTemplate(nested(MAX_SECTION_NESTING))).not.toThrow();
    expect(errorOf(() => compileTemplate(nested(MAX_SECTION_NESTING + 1))).message).toMatch(/deeper than 32 levels at line 1, column 193/);
  });

  test('a source longer than the limit is refused before it is read', () => {
    expect(errorOf(() => compileTemplate('x'.repeat(MAX_TEMPLATE_CHARS + 1))).message).toMatch(/above the limit/);
  });
});

describe('render bounds', () => {
  test('a section over a huge list stops at the expansion cap', () => {
    const list = Array.from({ length: 200_000 }, (_, index) => index);
    const error = errorOf(() => render('{{#list}}{{.}},{{/list}}', { list }));
    expect(error).toMatchObject({ code: 'render_limit', status: 400 });
    expect(error.message).toMatch(/expands more than 100000 times/);
  });

  test('a list inside a list cannot multiply past the cap', () => {
    const list = Array.from({ length: 1000 }, () => 1);
    expect(errorOf(() => render('{{#list}}{{#list}}x{{/list}}{{/list}}', { list })).code).toBe('render_limit');
  });

  test('output is capped: one large value, or many small ones', () => {
    const limits = { maxOutputChars: 1000, maxExpansions: 1_000_000 };
    expect(render('{{x}}', { x: 'a'.repeat(1000) }, {}, limits)).toHaveLength(1000);
    expect(errorOf(() => render('{{x}}!', { x: 'a'.repeat(1000) }, {}, limits)).message).toBe('The rendered prompt exceeds 1000 characters');
    expect(errorOf(() => render('{{#l}}{{x}}{{/l}}', { l: Array(20).fill(1), x: 'a'.repeat(60) }, {}, limits)).code).toBe('render_limit');
  });

  test('partial indentation counts towards the output', () => {
    const limits = { maxOutputChars: 30, maxExpansions: 1000 };
    expect(errorOf(() => render('          {{>p}}\n', {}, { p: 'a\nb\nc\n' }, limits)).code).toBe('render_limit');
  });
});

const KB = 1024;

/** Template sources built to hurt a scanner: brace storms, unclosed tags, long whitespace, many tags. */
const HOSTILE_SOURCES: Record<string, (size: number) => string> = {
  'brace storm': (size) => '{'.repeat(size),
  'open-tag storm then one close': (size) => `${'{{'.repeat(size / 2)}}}`,
  'close-tag storm': (size) => '}}'.repeat(size / 2),
  'many variables': (size) => '{{a}} '.repeat(size / 6),
  'many standalone comments': (size) => '  {{! c }}  \n'.repeat(size / 13),
  'whitespace between tags': (size) => `{{#a}}${' '.repeat(size)}{{/a}}`,
  'many sections': (size) => '{{#a}}x{{/a}}'.repeat(size / 13),
  newlines: (size) => '\n'.repeat(size),
};

describe('compiling hostile sources takes linear time', () => {
  test.each(Object.keys(HOSTILE_SOURCES))('%s', (name) => {
    const time = (size: number): number => {
      const source = HOSTILE_SOURCES[name](size);
      return bestCpuMs(() => {
        try {
          compileTemplate(source);
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
        }
      }, 5);
    };
    time(16 * KB);
    const small = time(16 * KB);
    const large = time(64 * KB);
    expect(large).toBeLessThan(10 * small + 5);
    expect(large).toBeLessThan(1000);
  });

  test('an unclosed tag is found at once, with its position', () => {
    const error = errorOf(() => compileTemplate(`${'a\n'.repeat(1000)}  {{${'{'.repeat(100_000)}`));
    expect(error.details).toMatchObject({ line: 1001, column: 3 });
  });
});

describe('rendering hostile views takes linear time', () => {
  const cases: Record<string, { source: string; view: (size: number) => Record<string, unknown>; partials?: Record<string, string> }> = {
    'a long list': { source: '{{#list}}{{name}};{{/list}}', view: (size) => ({ list: Array.from({ length: size / 8 }, () => ({ name: 'ab' })) }) },
    'a long value': { source: '{{x}}{{x}}', view: (size) => ({ x: 'y'.repeat(size) }) },
    'a value full of tags (never re-rendered)': { source: '{{x}}', view: (size) => ({ x: '{{x}}'.repeat(size / 5) }) },
    'lines through an indented partial': { source: '    {{>p}}\n', view: (size) => ({ x: 'z'.repeat(size) }), partials: { p: '{{x}}\n'.repeat(4) } },
    'deep context stack': {
      source: `${'{{#a}}'.repeat(30)}{{#list}}{{missing}}{{/list}}${'{{/a}}'.repeat(30)}`,
      view: (size) => ({ a: { a: true }, list: Array.from({ length: size / 16 }, () => 0) }),
    },
  };

  test.each(Object.keys(cases))('%s', (name) => {
    const { source, view, partials } = cases[name];
    const limits = { maxOutputChars: 64 * 1024 * 1024, maxExpansions: 10_000_000 };
    const time = (size: number): number => {
      const data = view(size);
      return bestCpuMs(() => render(source, data, partials, limits), 5);
    };
    time(64 * KB);
    const small = time(64 * KB);
    const large = time(256 * KB);
    expect(large).toBeLessThan(10 * small + 5);
    expect(large).toBeLessThan(1000);
  });
});
