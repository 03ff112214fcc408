import { describe, expect, it } from 'vitest';
import { clinicLabel, clinicsOf, countRecords, dayOf, filterRecords, firstRecords, groupByDay, visitRuns } from './records';
import { RECORDS, record } from '../test/fixtures';

describe('groupByDay', () => {
  it('groups by visit day, newest day first', () => {
    const groups = groupByDay(RECORDS);
    expect(groups.map((g) => g.day)).toEqual(['2020-07-21', '2019-03-05', '2018-01-10']);
    expect(groups.map((g) => g.label)).toEqual(['21 Jul 2020', '5 Mar 2019', '10 Jan 2018']);
    // A timestamp and a plain date on the same day end up together.
    expect(groups[1].records.map((r) => r.id).sort()).toEqual(['r-imm', 'r-lab1']);
  });

  it('puts undated records last under "No date"', () => {
    const groups = groupByDay([record({ id: 'u', date: null }), ...RECORDS]);
    expect(groups.at(-1)).toMatchObject({ day: '', label: 'No date' });
    expect(groups.at(-1)!.records.map((r) => r.id)).toEqual(['u']);
  });

  it('is empty for no records', () => {
    expect(groupByDay([])).toEqual([]);
  });

  it('dayOf takes the date part only', () => {
    expect(dayOf('2019-03-05T23:59:00-05:00')).toBe('2019-03-05');
    expect(dayOf(null)).toBe('');
    expect(dayOf('garbage')).toBe('');
  });
});

describe('filters', () => {
  it('filters by category and by clinic', () => {
    expect(filterRecords(RECORDS, { category: 'labs', clinic: 'all' }).map((r) => r.id)).toEqual(['r-lab1', 'r-new']);
    expect(
      filterRecords(RECORDS, { category: 'all', clinic: 'mdw1clinicbbbbbbbbbbbbbbbbbbbbbbbbbbbb2' }).map((r) => r.id),
    ).toEqual(['r-new']);
    expect(filterRecords(RECORDS, { category: 'medications', clinic: 'all' })).toEqual([]);
    expect(filterRecords(RECORDS, { category: 'all', clinic: 'all' })).toHaveLength(RECORDS.length);
  });

  it('lists clinics by name, falling back to a short address', () => {
    expect(clinicsOf(RECORDS)).toEqual([
      { address: 'mdw1clinicbbbbbbbbbbbbbbbbbbbbbbbbbbbb2', label: 'mdw1clinic…bbbbb2' },
      { address: 'mdw1clinicaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', label: 'Riverside Family Clinic' },
    ]);
    expect(clinicLabel({ clinicName: '  ', clinicAddress: 'mdw1short' })).toBe('mdw1short');
  });
});

describe('firstRecords', () => {
  const groups = groupByDay(RECORDS);
  const total = countRecords(groups);

  it('keeps whole days while they fit and cuts the last one', () => {
    const first = groups[0].records.length;
    const cut = firstRecords(groups, first + 1);
    expect(cut.map((g) => g.day)).toEqual([groups[0].day, groups[1].day]);
    expect(cut[0]).toBe(groups[0]);
    expect(cut[1].records).toEqual(groups[1].records.slice(0, 1));
    expect(countRecords(cut)).toBe(first + 1);
  });

  it('returns everything when the limit is larger, and nothing for 0', () => {
    expect(firstRecords(groups, total + 5)).toEqual(groups);
    expect(firstRecords(groups, 0)).toEqual([]);
  });
});

describe('visits', () => {
  const visit = { id: 'urn:uuid:v1', title: 'Encounter for check up' };
  const day = [
    record({ id: 'lab', category: 'labs', visit }),
    record({ id: 'loose', category: 'allergies' }),
    record({ id: 'enc', category: 'encounter', visit }),
    record({ id: 'vit', category: 'vital-signs', visit }),
  ];

  it('keeps a visit together, the visit first, then its categories in order', () => {
    const [group] = groupByDay(day);
    expect(group.records.map((r) => r.id)).toEqual(['loose', 'enc', 'lab', 'vit']);
    const runs = visitRuns(group.records);
    expect(runs.map((r) => r.title)).toEqual([null, 'Encounter for check up']);
    expect(runs[1].records.map((r) => r.id)).toEqual(['enc', 'lab', 'vit']);
  });
});
