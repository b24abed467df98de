/**
 * Lua tables as cjson encodes them (kong/pdk/response.lua send, kong.response.error messages):
 * an empty table is `{}`, nil values are dropped, byte strings are strings. Escaping and key order
 * are JSON.stringify's (cjson's may differ).
 */
export function cjsonEncode(v: unknown): string {
  const conv = (x: unknown): unknown => {
    if (x instanceof Uint8Array) return Buffer.from(x).toString('utf8');
    if (Array.isArray(x)) return x.length === 0 ? {} : x.map(conv);
    if (x !== null && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(x)) if (y !== null && y !== undefined) o[k] = conv(y);
      return o;
    }
    return x;
  };
  return JSON.stringify(conv(v));
}
