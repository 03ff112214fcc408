// chart.js configuration for one lab test over time. A category x-axis of formatted day labels
// keeps chart.js free of a date adapter; the reference range is drawn as two dashed lines.
import type { ChartConfiguration } from 'chart.js';
import type { LabSeries } from '../ipc/types';
import { formatDay } from './format';

const VALUE_COLOR = '#2563eb';
const RANGE_COLOR = '#9ca3af';

export function sortedPoints(s: LabSeries) {
  return [...s.points].sort((a, b) => a.date.localeCompare(b.date));
}

export function labChartConfig(s: LabSeries): ChartConfiguration<'line', (number | null)[], string> {
  const points = sortedPoints(s);
  const labels = points.map((p) => formatDay(p.date) ?? p.date);
  const constant = (v: number) => points.map(() => v);
  const rangeLine = (label: string, v: number) => ({
    label,
    data: constant(v),
    borderColor: RANGE_COLOR,
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
    pointHoverRadius: 0,
    fill: false,
  });
  const datasets: ChartConfiguration<'line', (number | null)[], string>['data']['datasets'] = [
    {
      label: s.display,
      data: points.map((p) => p.value),
      borderColor: VALUE_COLOR,
      backgroundColor: VALUE_COLOR,
      borderWidth: 2,
      pointRadius: 4,
      tension: 0.2,
    },
  ];
  if (s.low != null) datasets.push(rangeLine('Lower limit', s.low));
  if (s.high != null) datasets.push(rangeLine('Upper limit', s.high));
  return {
    type: 'line',
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: s.low != null || s.high != null, position: 'bottom' } },
      scales: {
        x: { type: 'category', title: { display: true, text: 'Date' } },
        y: { type: 'linear', title: { display: true, text: s.unit ? `${s.display} (${s.unit})` : s.display } },
      },
    },
  };
}
