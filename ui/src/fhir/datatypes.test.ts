import { afterEach, describe, expect, it } from 'vitest';
import { conceptText, formatPeriod, formatQuantity, formatRange, humanizeCode, humanizeType } from './datatypes';
import { setLocale } from '../lib/format';
import { addCatalogue, resetCatalogues } from '../i18n/translate';

afterEach(() => {
  resetCatalogues();
  setLocale('en-GB');
});

describe('FHIR data types', () => {
  it('conceptText prefers text, then a display, then a code', () => {
    expect(conceptText({ text: 'A', coding: [{ display: 'B' }] })).toBe('A');
    expect(conceptText({ coding: [{ code: 'x' }, { display: 'B' }] })).toBe('B');
    expect(conceptText({ coding: [{ code: 'x' }] })).toBe('x');
    expect(conceptText({ coding: [] })).toBeUndefined();
    expect(conceptText(undefined)).toBeUndefined();
    expect(conceptText('text')).toBeUndefined();
  });

  it('drops SNOMED semantic tags but keeps other parentheses', () => {
    expect(conceptText({ text: 'Diabetes mellitus type 2 (disorder)' })).toBe('Diabetes mellitus type 2');
    expect(conceptText({ coding: [{ display: 'Body mass index 30+ - obesity (finding)' }] })).toBe('Body mass index 30+ - obesity');
    expect(conceptText({ text: 'Hemoglobin A1c/Hemoglobin.total in Blood' })).toBe('Hemoglobin A1c/Hemoglobin.total in Blood');
    expect(conceptText({ text: 'Vitamin D (25-hydroxy)' })).toBe('Vitamin D (25-hydroxy)');
  });

  it('formatQuantity prints comparator, value and unit, and drops the "1" unit', () => {
    expect(formatQuantity({ value: 0.1 + 0.2, unit: 'mg' })).toBe('0.3 mg');
    expect(formatQuantity({ value: 0.5, comparator: '<', code: 'mg/dL' })).toBe('< 0.5 mg/dL');
    expect(formatQuantity({ value: 98, unit: '%' })).toBe('98%');
    expect(formatQuantity({ value: 2, unit: '1' })).toBe('2');
    expect(formatQuantity({ unit: 'mg' })).toBeUndefined();
  });

  it('formatRange handles both ends, one end and text', () => {
    expect(formatRange({ low: { value: 1, unit: 'g' }, high: { value: 2 } })).toBe('1–2 g');
    expect(formatRange({ low: { value: 40, unit: 'mg/dL' } })).toBe('≥ 40 mg/dL');
    expect(formatRange({ high: { value: 200 } })).toBe('≤ 200');
    expect(formatRange({ text: 'negative' })).toBe('negative');
    expect(formatRange({})).toBeUndefined();
  });

  it('formatPeriod', () => {
    expect(formatPeriod({ start: '2019-03-05', end: '2019-03-09' })).toBe('5 Mar 2019 – 9 Mar 2019');
    expect(formatPeriod({ start: '2019-03-05', end: '2019-03-05' })).toBe('5 Mar 2019');
    expect(formatPeriod({ end: '2019-03-09' })).toBe('Until 9 Mar 2019');
    expect(formatPeriod({})).toBeUndefined();
  });

  it('humanizes codes and type names', () => {
    expect(humanizeCode('entered-in-error')).toBe('Entered in error');
    expect(humanizeType('ExplanationOfBenefit')).toBe('Explanation of benefit');
    expect(humanizeType('Claim')).toBe('Claim');
    expect(humanizeCode('in-progress')).toBe('In progress');
    expect(humanizeCode('onleave')).toBe('Onleave');
    expect(humanizeType('DeviceMetric')).toBe('Device metric');
  });

  it('takes known codes, type names and periods from the catalogue', () => {
    addCatalogue('de', {
      'fhir.code.enteredInError': 'Irrtümlich erfasst',
      'fhir.type.carePlan': 'Behandlungsplan',
      'fhir.period.from': 'Ab {start}',
    });
    setLocale('de-DE');
    expect(humanizeCode('entered-in-error')).toBe('Irrtümlich erfasst');
    expect(humanizeCode('toString')).toBe('ToString');
    expect(humanizeType('CarePlan')).toBe('Behandlungsplan');
    expect(humanizeType('DeviceMetric')).toBe('Device metric');
    expect(formatPeriod({ start: '2019-03-05' })).toMatch(/^Ab 5/);
  });
});
