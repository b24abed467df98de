/** nginx size strings ("8k", "10m", "1g", plain bytes) as used by client_body_buffer_size. */
export function parseSize(v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new Error(`invalid size ${v}`);
    return v;
  }
  const m = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(v);
  if (!m) throw new Error(`invalid nginx size "${v}" (expected e.g. 8k, 10m)`);
  const mult = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}
