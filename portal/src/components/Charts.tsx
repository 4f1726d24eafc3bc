/** Simple inline SVG charts (no chart library): bars and a line, each with a text table fallback. */
import { useId } from "react";

export interface Datum {
  label: string;
  value: number;
  display?: string;
}

export function BarChart({
  title,
  data,
  color = "#256ef4",
}: {
  title: string;
  data: Datum[];
  color?: string;
}) {
  const id = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  const rowH = 36;
  const w = 600;
  const labelW = 150;
  const h = data.length * rowH + 8;
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${w} ${h}`}
        role="img"
        aria-labelledby={id}
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{title}</title>
        {data.map((d, i) => {
          const bw = ((w - labelW - 130) * d.value) / max;
          const y = i * rowH + 4;
          return (
            <g key={d.label}>
              <text x={0} y={y + 22} fontSize="17" fill="currentColor">
                {d.label}
              </text>
              <rect
                x={labelW}
                y={y + 4}
                width={Math.max(2, bw)}
                height={rowH - 12}
                fill={color}
                rx="3"
              />
              <text x={labelW + bw + 8} y={y + 22} fontSize="16" fill="currentColor">
                {d.display ?? d.value.toLocaleString()}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.display ?? d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function LineChart({
  title,
  data,
  color = "#256ef4",
}: {
  title: string;
  data: Datum[];
  color?: string;
}) {
  const id = useId();
  const w = 600;
  const h = 220;
  const pad = 36;
  const max = Math.max(1, ...data.map((d) => d.value));
  const x = (i: number) => pad + (data.length <= 1 ? 0 : ((w - 2 * pad) * i) / (data.length - 1));
  const y = (v: number) => h - pad - ((h - 2 * pad) * v) / max;
  const path = data
    .map((d, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(d.value).toFixed(1)}`)
    .join(" ");
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-labelledby={id}>
        <title>{title}</title>
        <line
          x1={pad}
          y1={h - pad}
          x2={w - pad}
          y2={h - pad}
          stroke="currentColor"
          strokeWidth="1"
        />
        <path d={path} fill="none" stroke={color} strokeWidth="3" />
        {data.map((d, i) => (
          <circle key={d.label} cx={x(i)} cy={y(d.value)} r="4" fill={color} />
        ))}
        {data.length > 0 && (
          <>
            <text x={pad} y={h - 10} fontSize="15" fill="currentColor">
              {data[0]?.label}
            </text>
            <text x={w - pad} y={h - 10} fontSize="15" fill="currentColor" textAnchor="end">
              {data[data.length - 1]?.label}
            </text>
          </>
        )}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.display ?? d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
