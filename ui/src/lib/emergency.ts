// The emergency contacts an emergency set holds: `Patient.contact` entries (FHIR R4) of its
// Patient resource, as the form takes them.
import type { ContactInput } from '../ipc/types';
import { extractResources } from '../fhir/bundle';

type Json = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function contactsOf(fhir: string): ContactInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fhir);
  } catch {
    return [];
  }
  const patient = extractResources(parsed).find((r) => r.resourceType === 'Patient') as Json | undefined;
  const contacts = Array.isArray(patient?.contact) ? (patient.contact as Json[]) : [];
  return contacts.map((c) => {
    const relationship = Array.isArray(c.relationship) ? (c.relationship as Json[])[0] : undefined;
    const telecom = Array.isArray(c.telecom) ? (c.telecom as Json[]).find((t) => t.system === 'phone') : undefined;
    return {
      name: text((c.name as Json | undefined)?.text),
      relationship: text(relationship?.text),
      phone: text(telecom?.value),
    };
  });
}
