import { splitMarkers } from '../../../plugins/aigw-prompt-compressor/markers';

describe('client markers', () => {
  test('keep and compress ranges become pieces; the markers are gone', () => {
    expect(splitMarkers('a <aigw:keep>B</aigw:keep> c <aigw:compress>D</aigw:compress> e')).toEqual([
      { text: 'a ', mode: 'auto' },
      { text: 'B', mode: 'keep' },
      { text: ' c ', mode: 'auto' },
      { text: 'D', mode: 'force' },
      { text: ' e', mode: 'auto' },
    ]);
  });

  test('an unclosed marker runs to the end; a stray closing one and nested markers are dropped', () => {
    expect(splitMarkers('x</aigw:keep>y<aigw:keep>z<aigw:compress>w')).toEqual([
      { text: 'xy', mode: 'auto' },
      { text: 'zw', mode: 'keep' },
    ]);
  });

  test('text without markers is one auto piece', () => {
    expect(splitMarkers('plain <aigw text')).toEqual([{ text: 'plain <aigw text', mode: 'auto' }]);
  });

  test('linear on hostile input: 100k markers of one kind and none of the other', () => {
    const text = '<aigw:keep>k</aigw:keep>'.repeat(100_000);
    const started = process.hrtime.bigint();
    const pieces = splitMarkers(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(pieces).toEqual([{ text: 'k'.repeat(100_000), mode: 'keep' }]);
    // Quadratic scanning of 2.4 MB takes minutes; linear takes milliseconds.
    expect(ms).toBeLessThan(2000);
  });
});
