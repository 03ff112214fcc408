// Doctor mode: records shared with this wallet, grouped by patient.
import type { SharedItem } from '../ipc/types';

export interface PatientGroup {
  patientAddress: string;
  items: SharedItem[];
}

/** Groups by patient (in order of first appearance); within a patient, newest first. */
export function groupByPatient(items: SharedItem[]): PatientGroup[] {
  const groups = new Map<string, SharedItem[]>();
  for (const it of items) {
    const g = groups.get(it.patientAddress);
    if (g) g.push(it);
    else groups.set(it.patientAddress, [it]);
  }
  return [...groups.entries()].map(([patientAddress, list]) => ({
    patientAddress,
    items: [...list].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '')),
  }));
}
