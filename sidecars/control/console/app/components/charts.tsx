/**
 * Small hand-written SVG charts: each an image with a title and description for screen readers,
 * and the same numbers as a table one click away.
 */
import { DataTable } from './data-table';

export interface Point {
  label: string;
  value: number;
}

const WIDTH = 560;
const HEIGHT = 160;
const PAD = { top: 8, right: 8, bottom: 2, left: 8 };

let nextId = 0;

function PointsTable({ points, valueLabel, format }: { points: Point[]; valueLabel: string; format: (v: number) => string }) {
  return (
    <details class="chart-table">
      <summary>Show as table</summary>
      <DataTable
        compact
        rows={points}
        rowKey={(p) => p.label}
        columns={[
          { header: 'Time', cell: (p) => p.label },
          { header: valueLabel, numeric: true, cell: (p) => format(p.value) },
        ]}
      />
    </details>
  );
}

/** Bars over time: one bar per bucket, the first and last bucket named under the axis. */
export function BarChart({ title, points, format, valueLabel }: { title: string; points: Point[]; format: (v: number) => string; valueLabel: string }) {
  const id = `chart-${++nextId}`;
  const max = Math.max(0, ...points.map((p) => p.value));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = points.length ? innerW / points.length : innerW;
  const barW = Math.max(1, slot * 0.7);
  const total = points.reduce((t, p) => t + p.value, 0);
  const summary = points.length
    ? `${points.length} buckets from ${points[0]!.label} to ${points[points.length - 1]!.label}; total ${format(total)}, peak ${format(max)}.`
    : 'No data.';
  return (
    <figure class="chart">
      <figcaption class="chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-t ${id}-d`} class="chart-svg" preserveAspectRatio="none">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} class="chart-axis" />
        {points.map((p, i) => {
          const h = max > 0 ? (p.value / max) * innerH : 0;
          return (
            <rect key={p.label} x={PAD.left + i * slot + (slot - barW) / 2} y={HEIGHT - PAD.bottom - h} width={barW} height={h} class="chart-bar">
              <title>{`${p.label}: ${format(p.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      {points.length > 0 && (
        // Outside the SVG: its non-uniform scaling would stretch text.
        <div class="chart-labels" aria-hidden="true">
          <span>{points[0]!.label}</span>
          <span>{points[points.length - 1]!.label}</span>
        </div>
      )}
      <PointsTable points={points} valueLabel={valueLabel} format={format} />
    </figure>
  );
}

/** Shares of a whole as horizontal bars (top teams, errors by type): the numbers are written out, the bars only help the eye. */
export function ShareBars({ title, rows, format }: { title: string; rows: Point[]; format: (v: number) => string }) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return (
    <table class="table share-table">
      <caption>{title}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td class="share-cell">
              <svg viewBox="0 0 100 8" class="share-svg" aria-hidden="true" preserveAspectRatio="none">
                <rect x="0" y="0" width={max > 0 ? (r.value / max) * 100 : 0} height="8" class="chart-bar" />
              </svg>
            </td>
            <td class="num">{format(r.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
