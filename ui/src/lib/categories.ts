// The record categories the Rust side assigns, with the words people see for them.
import type { Category } from '../ipc/types';
import { t, type MessageId } from '../i18n/translate';

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

const LABELS: Record<Category, MessageId> = {
  labs: 'records.category.labs',
  'vital-signs': 'records.category.vitalSigns',
  conditions: 'records.category.conditions',
  medications: 'records.category.medications',
  allergies: 'records.category.allergies',
  immunizations: 'records.category.immunizations',
  procedures: 'records.category.procedures',
  reports: 'records.category.reports',
  encounter: 'records.category.encounter',
  other: 'records.category.other',
};

/** The category's name in the person's language; an unknown one as it came. */
export function categoryLabel(c: Category | string): string {
  return Object.hasOwn(LABELS, c) ? t(LABELS[c as Category]) : c;
}
