import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import RecordView from './RecordView.svelte';
import { RECORDS, condition, potassiumSeries, visitBundle } from '../test/fixtures';
import type { LabSeries } from '../ipc/types';

const lab = RECORDS[1];

describe('RecordView', () => {
  it('renders every resource of the bundle for people', () => {
    render(RecordView, { opened: { record: lab, fhir: JSON.stringify(visitBundle) }, onback: vi.fn() });
    const resources = screen.getAllByTestId('fhir-resource');
    expect(resources).toHaveLength(visitBundle.entry.length);
    expect(resources[0].dataset.resourceType).toBe('Encounter');
    const potassium = resources.find((r) => r.textContent?.includes('Potassium'))!;
    expect(potassium.textContent).toContain('5.83 mmol/L');
    expect(potassium.textContent).toContain('Normal range: 3.5–5.1 mmol/L');
    expect(within(potassium).getByText('High')).toBeTruthy();
    const bp = resources.find((r) => r.textContent?.includes('Blood pressure'))!;
    expect(bp.textContent).toContain('131/82 mm[Hg]');
    expect(bp.textContent).toContain('Systolic Blood Pressure');
    const carePlan = resources.find((r) => r.dataset.resourceType === 'CarePlan')!;
    expect(carePlan.textContent).toContain('Diabetes self management plan');
    expect(screen.getByTestId('verified-badge').textContent).toContain('height 42');
  });

  it('toggles the pretty-printed raw JSON', async () => {
    render(RecordView, { opened: { record: lab, fhir: JSON.stringify(condition) }, onback: vi.fn() });
    expect(screen.queryByTestId('raw-json')).toBeNull();
    await fireEvent.click(screen.getByTestId('raw-json-toggle'));
    const raw = screen.getByTestId('raw-json');
    expect(raw.textContent).toBe(JSON.stringify(condition, null, 2));
    await fireEvent.click(screen.getByTestId('raw-json-toggle'));
    expect(screen.queryByTestId('raw-json')).toBeNull();
  });

  it('charts series with two or more points and lists single values', async () => {
    const single: LabSeries = { code: '2339-0', display: 'Glucose', unit: 'mg/dL', ucum: 'mg/dL', low: null, high: null, points: [{ date: '2019-03-05', value: 88.6, recordId: lab.id, asRecorded: null }] };
    const loadSeries = vi.fn(async () => [potassiumSeries, single]);
    render(RecordView, { opened: { record: lab, fhir: JSON.stringify(visitBundle) }, loadSeries, onback: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('lab-chart')).toHaveLength(1));
    expect(screen.getByTestId('lab-chart').dataset.code).toBe('6298-4');
    expect(screen.getByTestId('lab-chart').querySelector('canvas')).toBeTruthy();
    expect(screen.getByText(/only one measurement so far/).parentElement!.textContent).toContain('Glucose: 88.6 mg/dL');
    expect(loadSeries).toHaveBeenCalledTimes(1);
  });

  it('says when a value was converted and when a test is charted apart for units that do not convert', async () => {
    const mg: LabSeries = {
      code: '2339-0',
      display: 'Glucose',
      unit: 'mg/dL',
      ucum: 'mg/dL',
      low: 70,
      high: 99,
      points: [
        { date: '2019-03-05', value: 88.6, recordId: lab.id, asRecorded: null },
        { date: '2020-03-05', value: 98, recordId: 'r-old', asRecorded: '0.98 g/L' },
      ],
    };
    const mmol: LabSeries = {
      ...mg,
      unit: 'mmol/L',
      ucum: 'mmol/L',
      points: [
        { date: '2017-01-01', value: 5.1, recordId: 'r-a', asRecorded: null },
        { date: '2018-01-01', value: 5.4, recordId: 'r-b', asRecorded: null },
      ],
    };
    render(RecordView, { opened: { record: lab, fhir: JSON.stringify(visitBundle) }, loadSeries: async () => [mg, mmol], onback: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('lab-chart')).toHaveLength(2));
    expect(screen.getByTestId('converted-note').textContent).toContain('converted to mg/dL');
    expect(screen.getAllByTestId('lab-chart')[0].textContent).toContain('98 mg/dL (recorded as 0.98 g/L)');
    expect(screen.getByTestId('series-apart').textContent).toContain('units that do not convert into each other (mg/dL, mmol/L)');
  });

  it('shows a record that is not FHIR as an error, with its raw text still available', async () => {
    render(RecordView, { opened: { record: { ...lab, verifiedHeight: null }, fhir: 'not json' }, onback: vi.fn() });
    expect(screen.getByTestId('error').textContent).toMatch(/not valid JSON/);
    expect(screen.getByTestId('unverified-warning')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('raw-json-toggle'));
    expect(screen.getByTestId('raw-json').textContent).toBe('not json');
  });

  it('goes back', async () => {
    const onback = vi.fn();
    render(RecordView, { opened: { record: lab, fhir: JSON.stringify(condition) }, onback });
    await fireEvent.click(screen.getByTestId('back-button'));
    expect(onback).toHaveBeenCalledTimes(1);
  });
});
