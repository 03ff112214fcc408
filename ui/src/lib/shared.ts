// Doctor mode: records shared with this wallet, grouped by patient. A patient shares from one
// account per clinic; the handle their grants carry (sealed to this doctor) is the same across
// them, so grouping by it shows one patient.
import type { SharedItem } from '../ipc/types';

export interface PatientGroup {
  patientHandle: string;
  /** How the patient asked to be known (the first non-empty label among their grants). */
  label: string;
  /** The accounts the records came from (one per clinic the patient uses). */
  accounts: string[];
  items: SharedItem[];
}

/** Groups by patient (in order of first appearance); within a patient, newest first. */
export function groupByPatient(items: SharedItem[]): PatientGroup[] {
  const groups = new Map<string, SharedItem[]>();
  for (const it of items) {
    const g = groups.get(it.patientHandle);
    if (g) g.push(it);
    else groups.set(it.patientHandle, [it]);
  }
  return [...groups.entries()].map(([patientHandle, list]) => ({
    patientHandle,
    label: list.find((it) => it.patientLabel)?.patientLabel ?? '',
    accounts: [...new Set(list.map((it) => it.patientAddress))],
    items: [...list].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '')),
  }));
}
