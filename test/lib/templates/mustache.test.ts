/**
 * Mustache's spec (v1.3: interpolation, sections, inverted, comments, partials), case by case
 * where we follow it, and the cases where we deliberately do not: nothing is HTML-escaped,
 * a missing partial and a recursive partial are errors, set-delimiters and inheritance are refused.
 */
import { compileTemplate } from '../../../lib/templates/compile';
import { errorOf, render } from './helpers';

type Case = [name: string, template: string, data: Record<string, unknown>, expected: string, partials?: Record<string, string>];

const INTERPOLATION: Case[] = [
  ['no interpolation', 'Hello from {Mustache}!\n', {}, 'Hello from {Mustache}!\n'],
  ['basic', 'Hello, {{subject}}!\n', { subject: 'world' }, 'Hello, world!\n'],
  ['integer', '"{{mustache}} miles an hour!"', { mustache: 85 }, '"85 miles an hour!"'],
  ['decimal', '"{{power}} jiggawatts!"', { power: 1.21 }, '"1.21 jiggawatts!"'],
  ['boolean', '{{flag}}', { flag: false }, 'false'],
  ['null', 'I ({{cannot}}) be seen!', { cannot: null }, 'I () be seen!'],
  ['context miss', 'I ({{cannot}}) be seen!', {}, 'I () be seen!'],
  ['dotted names', '"{{person.name}}" == "{{#person}}{{name}}{{/person}}"', { person: { name: 'Joe' } }, '"Joe" == "Joe"'],
  ['dotted names, arbitrary depth', '{{a.b.c.d.e.name}}', { a: { b: { c: { d: { e: { name: 'Phil' } } } } } }, 'Phil'],
  ['dotted names, broken chain', '"{{a.b.c}}" == ""', { a: {} }, '"" == ""'],
  ['dotted names, broken chain not resolved up the stack', '"{{a.b.c.name}}" == ""', { a: { b: {} }, c: { name: 'Jim' } }, '"" == ""'],
  [
    'dotted names, initial resolution',
    '{{#a}}{{b.c.d.e.name}}{{/a}}',
    { a: { b: { c: { d: { e: { name: 'Phil' } } } } }, b: { c: { d: { e: { name: 'Wrong' } } } } },
    'Phil',
  ],
  ['array index in a dotted name', '{{list.1}}', { list: ['a', 'b'] }, 'b'],
  ['implicit iterator', '"{{#list}}({{.}}){{/list}}"', { list: ['a', 'b'] }, '"(a)(b)"'],
  ['surrounding whitespace', '| {{string}} |', { string: '---' }, '| --- |'],
  ['standalone interpolation keeps its line', '  {{string}}\n', { string: '---' }, '  ---\n'],
  ['padding inside the tag', '|{{ string }}|', { string: '---' }, '|---|'],
  ['objects and lists as compact JSON', '{{order}} {{ids}}', { order: { id: 7, paid: true }, ids: [1, 2] }, '{"id":7,"paid":true} [1,2]'],
  ['no prototype lookups', '[{{constructor}}][{{a.toString}}][{{__proto__}}]', { a: {} }, '[][][]'],
  ['no array length', '[{{list.length}}]{{#list}}[{{length}}]{{/list}}', { list: [[1]] }, '[][]'],
];

/** Prompts are not HTML: the spec's escaping cases render verbatim, in all three tag forms. */
const VERBATIM: Case[] = [
  ['double mustache', '{{forbidden}}', { forbidden: '& " < >' }, '& " < >'],
  ['triple mustache', '{{{forbidden}}}', { forbidden: '& " < >' }, '& " < >'],
  ['ampersand', '{{&forbidden}}', { forbidden: '& " < >' }, '& " < >'],
  ['triple mustache with padding', '|{{{ string }}}|', { string: '---' }, '|---|'],
  ['a value holding tags is not rendered again', '{{x}}', { x: '{{y}} {{#z}}' }, '{{y}} {{#z}}'],
];

const SECTIONS: Case[] = [
  ['truthy', '"{{#boolean}}This should be rendered.{{/boolean}}"', { boolean: true }, '"This should be rendered."'],
  ['falsey', '"{{#boolean}}This should not be rendered.{{/boolean}}"', { boolean: false }, '""'],
  ['null is falsey', '"{{#n}}no{{/n}}"', { n: null }, '""'],
  ['empty string is falsey', '"{{#s}}no{{/s}}"', { s: '' }, '""'],
  ['zero is truthy', '"{{#count}}{{count}} items{{/count}}"', { count: 0 }, '"0 items"'],
  ['context', '"{{#context}}Hi {{name}}.{{/context}}"', { context: { name: 'Joe' } }, '"Hi Joe."'],
  ['list', '"{{#list}}{{item}}{{/list}}"', { list: [{ item: 1 }, { item: 2 }, { item: 3 }] }, '"123"'],
  ['empty list', '"{{#list}}Yay lists!{{/list}}"', { list: [] }, '""'],
  ['doubled', '{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n', { bool: true, two: 'second' }, '* first\n* second\n* third\n'],
  ['nested', '| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |', { bool: true }, '| A B C D E |'],
  ['context misses', "[{{#missing}}Found key 'missing'!{{/missing}}]", {}, '[]'],
  ['implicit iterator over integers', '"{{#list}}({{.}}){{/list}}"', { list: [1, 2, 3] }, '"(1)(2)(3)"'],
  [
    'array of arrays',
    '"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}"',
    {
      list: [
        [1, 2, 3],
        ['a', 'b', 'c'],
      ],
    },
    '"(123)(abc)"',
  ],
  ['dotted names, truthy', '"{{#a.b.c}}Here{{/a.b.c}}" == "Here"', { a: { b: { c: true } } }, '"Here" == "Here"'],
  ['dotted names, broken chain', '"{{#a.b.c}}Here{{/a.b.c}}" == ""', { a: {} }, '"" == ""'],
  [
    'outer names visible inside',
    '{{#items}}{{name}} for {{customer}}; {{/items}}',
    { customer: 'Ann', items: [{ name: 'a' }, { name: 'b' }] },
    'a for Ann; b for Ann; ',
  ],
  ['surrounding whitespace', ' | {{#boolean}}\t|\t{{/boolean}} | \n', { boolean: true }, ' | \t|\t | \n'],
  ['internal whitespace', ' | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n', { boolean: true }, ' |  \n  | \n'],
  ['indented inline sections', ' {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n', { boolean: true }, ' YES\n GOOD\n'],
  ['standalone lines', '| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n', { boolean: true }, '| This Is\n|\n| A Line\n'],
  ['indented standalone lines', '| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n', { boolean: true }, '| This Is\n|\n| A Line\n'],
  ['standalone line endings', '|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|', { boolean: true }, '|\r\n|'],
  ['standalone without previous line', '  {{#boolean}}\n#{{/boolean}}\n/', { boolean: true }, '#\n/'],
  ['standalone without newline', '#{{#boolean}}\n/\n  {{/boolean}}', { boolean: true }, '#\n/\n'],
  ['padding', '|{{# boolean }}={{/ boolean }}|', { boolean: true }, '|=|'],
];

const INVERTED: Case[] = [
  ['falsey', '"{{^boolean}}This should be rendered.{{/boolean}}"', { boolean: false }, '"This should be rendered."'],
  ['truthy', '"{{^boolean}}This should not be rendered.{{/boolean}}"', { boolean: true }, '""'],
  ['context', '"{{^context}}Hi {{name}}.{{/context}}"', { context: { name: 'Joe' } }, '""'],
  ['list', '"{{^list}}{{n}}{{/list}}"', { list: [{ n: 1 }] }, '""'],
  ['empty list', '"{{^list}}Yay lists!{{/list}}"', { list: [] }, '"Yay lists!"'],
  ['missing', "[{{^missing}}Found key 'missing'!{{/missing}}]", {}, "[Found key 'missing'!]"],
  ['dotted names, falsey', '"{{^a.b.c}}Not Here{{/a.b.c}}" == "Not Here"', { a: { b: { c: false } } }, '"Not Here" == "Not Here"'],
  ['standalone lines', '| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n', { boolean: false }, '| This Is\n|\n| A Line\n'],
  ['standalone line endings', '|\r\n{{^boolean}}\r\n{{/boolean}}\r\n|', { boolean: false }, '|\r\n|'],
];

const COMMENTS: Case[] = [
  ['inline', '12345{{! Comment Block! }}67890', {}, '1234567890'],
  ['multiline', '12345{{!\n  This is a\n  multi-line comment...\n}}67890\n', {}, '1234567890\n'],
  ['standalone', 'Begin.\n{{! Comment Block! }}\nEnd.\n', {}, 'Begin.\nEnd.\n'],
  ['indented standalone', 'Begin.\n  {{! Indented Comment Block! }}\nEnd.\n', {}, 'Begin.\nEnd.\n'],
  ['standalone line endings', '|\r\n{{! Standalone Comment }}\r\n|', {}, '|\r\n|'],
  ['standalone without previous line', "  {{! I'm Still Standalone }}\n!", {}, '!'],
  ['standalone without newline', "!\n  {{! I'm Still Standalone }}", {}, '!\n'],
  ['multiline standalone', "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n", {}, 'Begin.\nEnd.\n'],
  ['indented inline', '  12 {{! 34 }}\n', {}, '  12 \n'],
  ['surrounding whitespace', '12345 {{! Comment Block! }} 67890', {}, '12345  67890'],
  ['variable name collision', 'comments never show: >{{! comment }}<', { '! comment': 1, comment: 2 }, 'comments never show: ><'],
  ['a comment ends at the first closing braces', 'a{{! {{b }}c}}', {}, 'ac}}'],
];

const PARTIALS: Case[] = [
  ['basic', '"{{>text}}"', {}, '"from partial"', { text: 'from partial' }],
  ['context', '"{{>partial}}"', { text: 'content' }, '"*content*"', { partial: '*{{text}}*' }],
  ['nested', '{{>outer}}', { a: 'hello', b: 'world' }, '*hello world!*', { outer: '*{{a}} {{>inner}}*', inner: '{{b}}!' }],
  ['inside a section, in its context', '{{#people}}{{>person}};{{/people}}', { people: [{ name: 'a' }, { name: 'b' }] }, 'a;b;', { person: '{{name}}' }],
  ['surrounding whitespace', '| {{>partial}} |', {}, '| \t|\t |', { partial: '\t|\t' }],
  ['inline indentation', '  {{data}}  {{> partial}}\n', { data: '|' }, '  |  >\n>\n', { partial: '>\n>' }],
  ['standalone line endings', '|\r\n{{>partial}}\r\n|', {}, '|\r\n>|', { partial: '>' }],
  ['standalone without previous line', '  {{>partial}}\n>', {}, '  >\n  >>', { partial: '>\n>' }],
  ['standalone without newline', '>\n  {{>partial}}', {}, '>\n  >\n  >', { partial: '>\n>' }],
  ['standalone indentation', ' \\\n {{>partial}}\n /\n', { content: '<\n->' }, ' \\\n |\n <\n->\n |\n /\n', { partial: '|\n{{{content}}}\n|\n' }],
  ['nested indentation adds up', '  {{>outer}}\n', {}, '  a\n    b\n  c\n', { outer: 'a\n  {{>inner}}\nc\n', inner: 'b\n' }],
  ['padding whitespace', '|{{> partial }}|', { boolean: true }, '|[]|', { partial: '[]' }],
];

const GROUPS: [string, Case[]][] = [
  ['interpolation', INTERPOLATION],
  ['interpolation is verbatim', VERBATIM],
  ['sections', SECTIONS],
  ['inverted sections', INVERTED],
  ['comments', COMMENTS],
  ['partials', PARTIALS],
];
for (const [group, cases] of GROUPS)
  describe(group, () => {
    for (const [name, template, data, expected, partials] of cases)
      test(name, () => {
        expect(render(template, data, partials)).toBe(expected);
      });
  });

describe('syntax errors name the line and column', () => {
  test.each([
    ['unclosed tag', 'Hi\n  {{name', 2, 3, /Unclosed tag/],
    ['unknown sigil', 'Hi {{%name}}', 1, 4, /Invalid variable name '%name'/],
    ['empty tag', 'a\nb {{}}', 2, 3, /Invalid variable name ''/],
    ['set delimiters', '{{=<% %>=}}', 1, 1, /Set-delimiter/],
    ['inheritance', 'x {{<parent}}{{/parent}}', 1, 3, /inheritance/],
    ['block', '{{$block}}x{{/block}}', 1, 1, /inheritance/],
    ['close without open', 'a {{/x}}', 1, 3, /without an open section/],
    ['mismatched close', '{{#a}}\n{{#b}}\n{{/a}}', 3, 1, /does not match section 'b' \(opened at line 2, column 1\)/],
    ['never closed', 'text\n {{#items}}\n{{.}}', 2, 2, /Section 'items' is never closed/],
    ['bad partial name', '{{> ../etc}}', 1, 1, /Invalid partial name/],
    ['spaces inside a name', '{{first name}}', 1, 1, /Invalid variable name 'first name'/],
    ['an unclosed triple', '{{{x}}', 1, 1, /Unclosed tag/],
  ])('%s', (_name, source, line, column, message) => {
    const error = errorOf(() => compileTemplate(source, 'messages.0.content'));
    expect(error.code).toBe('template_syntax');
    expect(error.status).toBe(400);
    expect(error.details).toMatchObject({ line, column, param: 'messages.0.content' });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`line ${line}, column ${column}`);
  });
});

describe('partials that cannot render', () => {
  test('a missing partial is an error, not empty text (the spec renders nothing)', () => {
    expect(() => render('"{{>text}}"')).toThrow(expect.objectContaining({ code: 'partial_missing', message: "Partial 'text' does not exist" }));
  });

  test('recursion over data is refused as a cycle (the spec allows it)', () => {
    expect(() => render('{{>node}}', {}, { node: '{{content}}<{{#nodes}}{{>node}}{{/nodes}}>' })).toThrow(
      expect.objectContaining({ code: 'partial_cycle', message: 'Partials include each other in a cycle: node → node' }),
    );
  });
});
