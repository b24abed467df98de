/**
 * A client's opt-in markers inside a message's text: `<aigw:keep>…</aigw:keep>` is never
 * compressed, `<aigw:compress>…</aigw:compress>` is compressed even in a role the route leaves
 * alone. The markers themselves never reach the provider from a part the plugin rewrites.
 * One linear scan; an unclosed marker runs to the end of the text, a stray closing one is dropped.
 */

export type PieceMode = 'auto' | 'keep' | 'force';

export interface Piece {
  text: string;
  mode: PieceMode;
}

const OPEN: Record<Exclude<PieceMode, 'auto'>, string> = { keep: '<aigw:keep>', force: '<aigw:compress>' };
const CLOSE: Record<Exclude<PieceMode, 'auto'>, string> = { keep: '</aigw:keep>', force: '</aigw:compress>' };
const MARKER_START = '<aigw:';
const CLOSING_START = '</aigw:';

/** True when the text holds a marker (cheap check before splitting). */
export function hasMarkers(text: string): boolean {
  return text.includes(MARKER_START) || text.includes(CLOSING_START);
}

/** The text split into pieces by mode, markers removed; adjacent pieces never share a mode. */
export function splitMarkers(text: string): Piece[] {
  const pieces: Piece[] = [];
  const push = (piece: string, mode: PieceMode): void => {
    if (!piece) return;
    const last = pieces[pieces.length - 1];
    if (last && last.mode === mode) last.text += piece;
    else pieces.push({ text: piece, mode });
  };
  const find = markerFinder(text);
  let at = 0;
  while (at < text.length) {
    const next = find(at);
    if (!next) {
      push(text.slice(at), 'auto');
      break;
    }
    push(text.slice(at, next.index), 'auto');
    if (next.kind === 'close') {
      at = next.index + next.marker.length;
      continue;
    }
    const bodyStart = next.index + next.marker.length;
    const close = find(bodyStart, CLOSE[next.mode]);
    const end = close ? close.index : text.length;
    push(stripStrayMarkers(text.slice(bodyStart, end)), next.mode);
    at = close ? end + close.marker.length : text.length;
  }
  return pieces;
}

interface Found {
  kind: 'open' | 'close';
  mode: Exclude<PieceMode, 'auto'>;
  index: number;
  marker: string;
}

/**
 * Finds the next marker at or after a position, remembering each marker's next occurrence so the
 * text is searched once per marker overall: positions only move forward, so this stays linear.
 */
function markerFinder(text: string): (from: number, only?: string) => Found | null {
  const markers: Found[] = (['keep', 'force'] as const).flatMap((mode) => [
    { kind: 'open' as const, mode, index: -1, marker: OPEN[mode] },
    { kind: 'close' as const, mode, index: -1, marker: CLOSE[mode] },
  ]);
  return (from, only) => {
    let best: Found | null = null;
    for (const m of markers) {
      if (only !== undefined && m.marker !== only) continue;
      if (m.index !== Number.POSITIVE_INFINITY && m.index < from) {
        const found = text.indexOf(m.marker, from);
        m.index = found < 0 ? Number.POSITIVE_INFINITY : found;
      }
      if (m.index !== Number.POSITIVE_INFINITY && (!best || m.index < best.index)) best = m;
    }
    return best ? { ...best } : null;
  };
}

/** Markers nested inside another marker's range carry no meaning of their own. */
function stripStrayMarkers(text: string): string {
  if (!hasMarkers(text)) return text;
  let out = text;
  for (const marker of [...Object.values(OPEN), ...Object.values(CLOSE)]) out = out.split(marker).join('');
  return out;
}
