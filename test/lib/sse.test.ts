import { SseParser } from '../../lib/sse';

describe('SseParser', () => {
  it('returns events only once complete, across arbitrary chunk boundaries', () => {
    const text = 'data: {"a":1}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events.map((e) => e.data)).toEqual(['{"a":1}', '[DONE]']);
      expect(events.map((e) => e.raw).join('')).toBe(text);
    }
  });

  it('joins multi-line data, reads event names, skips comments and handles CRLF', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\r\n\r\nevent: message_start\r\ndata: line1\r\ndata: line2\r\n\r\n');
    expect(events).toHaveLength(2);
    expect(events[0].data).toBeUndefined();
    expect(events[1]).toMatchObject({ event: 'message_start', data: 'line1\nline2' });
  });

  it('keeps a multi-byte character split between chunks intact', () => {
    const bytes = Buffer.from('data: "héllo ✓"\n\n');
    const parser = new SseParser();
    const split = bytes.indexOf(0xe2) + 1;
    const events = [...parser.push(bytes.subarray(0, split)), ...parser.push(bytes.subarray(split))];
    expect(events[0].data).toBe('"héllo ✓"');
  });

  it('finds a CRLF event end split over three chunks, wherever the cuts fall', () => {
    const text = 'data: a\r\n\r\ndata: b\r\n\r\n';
    for (let i = 1; i < text.length - 1; i++) {
      for (let j = i + 1; j < text.length; j++) {
        const parser = new SseParser();
        const events = [text.slice(0, i), text.slice(i, j), text.slice(j)].flatMap((piece) => parser.push(piece));
        expect(events.map((e) => e.raw)).toEqual(['data: a\r\n\r\n', 'data: b\r\n\r\n']);
      }
    }
  });

  // Failed before: each chunk rescanned (and copied) everything pending, so one long event in
  // small chunks took quadratic time (minutes for this one); a provider's stream, a decompression
  // bomb's included, must not stall the relay before its size limit stops it.
  it('takes linear time for one long event arriving in small chunks', () => {
    const parser = new SseParser();
    const piece = 'x'.repeat(1024);
    const started = performance.now();
    let early = parser.push('data: ').length;
    for (let i = 0; i < 16 * 1024; i++) early += parser.push(piece).length;
    const [event] = parser.push('\n\n');
    expect(early).toBe(0);
    expect(event.data?.length).toBe(16 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('exposes an incomplete trailing event as the rest', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\n\ndata: {"cut')).toHaveLength(1);
    expect(parser.rest()).toBe('data: {"cut');
  });
});
