// The record categories the Rust side assigns, with the words people see for them.
import type { Category } from '../ipc/types';

export const CATEGORIES: readonly Category[] = [
  'labs',
  'vital-signs',
  'conditions',
  'medications',
  'allergies',
  'immunizations',
  'procedures',
  'reports',
  'encounter',
  'other',
];

const LABELS: Record<Category, string> = {
  labs: 'Lab results',
  'vital-signs': 'Vital signs',
  conditions: 'Conditions',
  medications: 'Medications',
  allergies: 'Allergies',
  immunizations: 'Immunizations',
  procedures: 'Procedures',
  reports: 'Reports',
  encounter: 'Visits',
  other: 'Other',
};

export function categoryLabel(c: Category | string): string {
  return (LABELS as Record<string, string>)[c] ?? c;
}
