// Pure helpers for the records timeline: filtering and grouping by visit day.
import type { Category, RecordItem } from '../ipc/types';
import { CATEGORIES } from './categories';
import { formatDay, shortAddress } from './format';
import { t } from '../i18n/translate';

export interface DayGroup {
  /** "YYYY-MM-DD", or "" for records the clinic gave no date. */
  day: string;
  /** Heading text: "5 Mar 2019" or "No date". */
  label: string;
  records: RecordItem[];
}

/** The day part of a record's date (the clinic's own calendar day, no timezone shifting). */
export function dayOf(date: string | null): string {
  const m = date ? /^\d{4}-\d{2}-\d{2}/.exec(date) : null;
  return m ? m[0] : '';
}

/** Groups records by visit day, newest day first; undated records go last. */
export function groupByDay(records: RecordItem[]): DayGroup[] {
  const byDay = new Map<string, RecordItem[]>();
  for (const r of records) {
    const day = dayOf(r.date);
    const list = byDay.get(day);
    if (list) list.push(r);
    else byDay.set(day, [r]);
  }
  const days = [...byDay.keys()].sort((a, b) => {
    if (a === b) return 0;
    if (a === '') return 1;
    if (b === '') return -1;
    return a < b ? 1 : -1;
  });
  return days.map((day) => ({
    day,
    label: day ? (formatDay(day) ?? day) : t('fhir.timeline.noDate'),
    // Within a day, newest timestamp first; a visit's records together, the visit itself first
    // and then its categories in the usual order; then latest issued on the ledger.
    records: [...byDay.get(day)!].sort(
      (a, b) =>
        (b.date ?? '').localeCompare(a.date ?? '') ||
        (a.visit?.id ?? '').localeCompare(b.visit?.id ?? '') ||
        rank(a.category) - rank(b.category) ||
        b.issuedHeight - a.issuedHeight,
    ),
  }));
}

const rank = (c: Category): number => (c === 'encounter' ? -1 : CATEGORIES.indexOf(c));

/** The records of one day, cut where each visit starts, so the timeline can head each visit. */
export interface VisitRun {
  /** The visit's title, or null for records of no visit. */
  title: string | null;
  key: string;
  records: RecordItem[];
}

export function visitRuns(records: RecordItem[]): VisitRun[] {
  const runs: VisitRun[] = [];
  for (const r of records) {
    const key = r.visit?.id ?? `record:${r.id}`;
    const last = runs.at(-1);
    if (last && r.visit && last.key === key) last.records.push(r);
    else runs.push({ title: r.visit?.title ?? null, key, records: [r] });
  }
  return runs;
}

export interface RecordFilter {
  category: Category | 'all';
  clinic: string | 'all';
}

export function filterRecords(records: RecordItem[], f: RecordFilter): RecordItem[] {
  return records.filter(
    (r) =>
      (f.category === 'all' || r.category === f.category) &&
      (f.clinic === 'all' || r.clinicAddress === f.clinic),
  );
}

export function clinicLabel(r: Pick<RecordItem, 'clinicName' | 'clinicAddress'>): string {
  return r.clinicName?.trim() || shortAddress(r.clinicAddress);
}

/** The clinics present in a list of records, for the clinic filter, sorted by label. */
export function clinicsOf(records: RecordItem[]): { address: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const r of records) {
    const label = clinicLabel(r);
    // Prefer a verified name if any record carries one.
    if (!seen.has(r.clinicAddress) || r.clinicName) seen.set(r.clinicAddress, label);
  }
  return [...seen.entries()]
    .map(([address, label]) => ({ address, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The categories present in a list of records, for the category filter. */
export function categoriesOf(records: RecordItem[]): Category[] {
  return [...new Set(records.map((r) => r.category))];
}

/**
 * The first `limit` records of a timeline, whole days where they fit and the last day cut, so
 * a wallet with thousands of records renders only what the user can see (and more on demand).
 */
export function firstRecords(groups: DayGroup[], limit: number): DayGroup[] {
  const out: DayGroup[] = [];
  let left = limit;
  for (const g of groups) {
    if (left <= 0) break;
    out.push(g.records.length <= left ? g : { ...g, records: g.records.slice(0, left) });
    left -= g.records.length;
  }
  return out;
}

/** How many records the groups hold. */
export function countRecords(groups: DayGroup[]): number {
  return groups.reduce((n, g) => n + g.records.length, 0);
}
