// chart.js configuration for one lab test over time. The x axis is time-proportional: each
// value sits at its date's position (milliseconds since the epoch on a linear scale, labelled
// as days), so three visits a week apart and one a year later look like that. A linear scale
// needs no date adapter. The reference range is drawn as two dashed lines across the span.
import type { ChartConfiguration } from 'chart.js';
import type { LabSeries } from '../ipc/types';
import { formatDay } from './format';

/** Colours for the value line and the range lines (the component reads them from the theme). */
export type ChartColors = { value: string; range: string };

const LIGHT: ChartColors = { value: '#2563eb', range: '#9ca3af' };

type Point = { x: number; y: number };

export function sortedPoints(s: LabSeries) {
  return [...s.points].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A FHIR date or dateTime as milliseconds since the epoch. A date without a time is taken at
 * noon UTC, so it lands on its own day in every time zone.
 */
export function dateMs(date: string): number | null {
  const day = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date.trim());
  if (day) return Date.UTC(Number(day[1]), Number(day[2] ?? 1) - 1, Number(day[3] ?? 1), 12);
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? null : ms;
}

/** The day of a position on the axis, for tick labels and tooltips. */
export function dayLabel(ms: number): string {
  return formatDay(new Date(ms).toISOString().slice(0, 10)) ?? '';
}

export function labChartConfig(s: LabSeries, colors: ChartColors = LIGHT): ChartConfiguration<'line', Point[]> {
  const points: Point[] = sortedPoints(s).flatMap((p) => {
    const x = dateMs(p.date);
    return x == null ? [] : [{ x, y: p.value }];
  });
  const first = points[0]?.x ?? 0;
  const last = points[points.length - 1]?.x ?? first;
  // One value alone still gets a day either side, so it is not drawn on the axis' edge.
  const pad = last > first ? (last - first) * 0.04 : 86_400_000;
  const rangeLine = (label: string, v: number) => ({
    label,
    data: [
      { x: first - pad, y: v },
      { x: last + pad, y: v },
    ],
    borderColor: colors.range,
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    pointHoverRadius: 0,
    fill: false,
  });
  const datasets: ChartConfiguration<'line', Point[]>['data']['datasets'] = [
    {
      label: s.display,
      data: points,
      borderColor: colors.value,
      backgroundColor: colors.value,
      borderWidth: 2,
      pointRadius: 4,
      tension: 0,
    },
  ];
  if (s.low != null) datasets.push(rangeLine('Lower limit', s.low));
  if (s.high != null) datasets.push(rangeLine('Upper limit', s.high));
  return {
    type: 'line',
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      plugins: {
        legend: { display: s.low != null || s.high != null, position: 'bottom' },
        tooltip: { callbacks: { title: (items) => (items[0] ? dayLabel(items[0].parsed.x ?? 0) : '') } },
      },
      scales: {
        x: {
          type: 'linear',
          min: first - pad,
          max: last + pad,
          title: { display: true, text: 'Date' },
          ticks: { maxTicksLimit: 6, callback: (value) => dayLabel(Number(value)) },
        },
        y: { type: 'linear', title: { display: true, text: s.unit ? `${s.display} (${s.unit})` : s.display } },
      },
    },
  };
}
