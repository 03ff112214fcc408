import { describe, expect, it, vi } from 'vitest';
import { describeIncident } from './incidents';
import { countWords, normalizeWords, passwordProblem } from './password';
import { parseNodes, settingsProblem } from './settings';
import { throttle } from './throttle';
import { groupByPatient } from './shared';
import { dateMs, dayLabel, labChartConfig } from './labChart';
import { SHARED, potassiumSeries } from '../test/fixtures';

describe('describeIncident', () => {
  it('names the lying node first', () => {
    expect(describeIncident('http://127.0.0.1:7002 served invalid data: bad certificate signature')).toBe(
      'Node http://127.0.0.1:7002 was caught lying: served invalid data: bad certificate signature',
    );
  });
  it('keeps other reports readable', () => {
    expect(describeIncident('equivocation at height 9: http://a and http://b serve different finalized blocks')).toBe(
      'Equivocation at height 9: http://a and http://b serve different finalized blocks',
    );
    expect(describeIncident('node X lied')).toBe('node X lied');
  });
});

describe('passwords and words', () => {
  it('requires 8 characters and a matching confirmation', () => {
    expect(passwordProblem('short', 'short')).toMatch(/at least 8/);
    expect(passwordProblem('long enough', 'long enougH')).toMatch(/do not match/);
    expect(passwordProblem('long enough', 'long enough')).toBeNull();
  });
  it('normalizes recovery words', () => {
    expect(normalizeWords('  Apple\n banana\t\tCHERRY ')).toBe('apple banana cherry');
    expect(countWords(' a b  c ')).toBe(3);
    expect(countWords('   ')).toBe(0);
  });
});

describe('settings', () => {
  it('parses one node per line', () => {
    expect(parseNodes(' http://a:1 \n\nhttp://b:2\r\nhttp://a:1\n')).toEqual(['http://a:1', 'http://b:2']);
  });
  it('rejects no nodes, non-URLs and bad minutes', () => {
    expect(settingsProblem([], 5)).toMatch(/at least one/);
    expect(settingsProblem(['ftp://x'], 5)).toMatch(/ftp:\/\/x/);
    expect(settingsProblem(['http://x'], 0)).toMatch(/minutes/);
    expect(settingsProblem(['http://x'], 2.5)).toMatch(/minutes/);
    expect(settingsProblem(['http://x', 'https://y'], 10)).toBeNull();
  });
});

describe('throttle', () => {
  it('calls at most once per interval', () => {
    let now = 0;
    const fn = vi.fn();
    const t = throttle(fn, 30_000, () => now);
    t();
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    now = 29_999;
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    now = 30_000;
    t();
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('groupByPatient', () => {
  it('groups shared records by patient, newest first', () => {
    const groups = groupByPatient(SHARED);
    expect(groups.map((g) => g.items.length)).toEqual([2, 1]);
    expect(groups[0].items.map((i) => i.recordId)).toEqual(['rec-a1', 'rec-a2']);
  });
  it("shows one patient's accounts (one per clinic) as one patient, under their label", () => {
    const other = { ...SHARED[2], patientHandle: 'h-AAAAA1', patientLabel: 'Ana Ruiz' };
    const groups = groupByPatient([SHARED[0], other]);
    expect(groups).toHaveLength(1);
    expect(groups[0].label).toBe('Ana Ruiz');
    expect(groups[0].accounts).toEqual([SHARED[0].patientAddress, SHARED[2].patientAddress]);
  });
});

describe('labChartConfig', () => {
  it('places values at their dates on a time-proportional axis, with dashed range lines across it', () => {
    const cfg = labChartConfig(potassiumSeries);
    const values = cfg.data.datasets[0].data;
    expect(values.map((p) => p.y)).toEqual([4.2, 5.83]);
    expect(values.map((p) => new Date(p.x).toISOString().slice(0, 10))).toEqual(['2018-01-10', '2019-03-05']);
    expect(cfg.data.datasets.map((d) => d.label)).toEqual(['Potassium', 'Lower limit', 'Upper limit']);
    expect(cfg.data.datasets[1]).toMatchObject({ borderDash: [6, 4] });
    expect(cfg.data.datasets[1].data.map((p) => p.y)).toEqual([3.5, 3.5]);
    expect(cfg.options?.scales?.x).toMatchObject({ type: 'linear' });
    expect(cfg.options?.scales?.y?.title).toMatchObject({ text: 'Potassium (mmol/L)' });
  });
  it('spaces visits by the time between them, not evenly', () => {
    const visits = ['2020-01-01', '2020-01-08', '2020-01-15', '2021-01-15'].map((date, i) => ({
      date,
      value: 4 + i / 10,
      recordId: `r${i}`,
      asRecorded: null,
    }));
    const xs = labChartConfig({ ...potassiumSeries, points: visits }).data.datasets[0].data.map((p) => p.x);
    const week = xs[1] - xs[0];
    expect(xs[2] - xs[1]).toBe(week);
    // A year later is about 52 weeks along, not one more step.
    expect(Math.round((xs[3] - xs[2]) / week)).toBe(52);
  });
  it('labels ticks as days, and a date-only value stays on its day', () => {
    expect(dayLabel(dateMs('2019-03-05') ?? 0)).toBe('5 Mar 2019');
    expect(dateMs('2019-03-05T23:30:00Z')).toBe(Date.UTC(2019, 2, 5, 23, 30));
    expect(dateMs('not a date')).toBeNull();
  });
  it('has no range lines without a range', () => {
    const cfg = labChartConfig({ ...potassiumSeries, low: null, high: null, unit: null });
    expect(cfg.data.datasets).toHaveLength(1);
    expect(cfg.options?.scales?.y?.title).toMatchObject({ text: 'Potassium' });
  });
});
