// The record's FHIR JSON -> the resources in it. A record is a Bundle (a visit with its
// observations, conditions...) or a single resource.
import { arr, isObj, str, type Json } from './datatypes';
import { describeResource } from './describe';
import type { DisplayResource } from './model';
import { t } from '../i18n/translate';

export interface ParsedRecord {
  resources: Json[];
  /** Why nothing could be shown, if so. */
  error: string | null;
}

/** Resources of a Bundle (nested bundles flattened) or the single resource itself. */
export function extractResources(json: unknown): Json[] {
  if (!isObj(json) || !str(json.resourceType)) return [];
  if (json.resourceType !== 'Bundle') return [json];
  return arr(json.entry)
    .filter(isObj)
    .map((e) => e.resource)
    .flatMap((r) => extractResources(r));
}

export function parseFhir(text: string): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { resources: [], error: t('fhir.record.notJson') };
  }
  if (!isObj(json) || !str(json.resourceType)) {
    return { resources: [], error: t('fhir.record.notFhir') };
  }
  const resources = extractResources(json);
  return { resources, error: resources.length ? null : t('fhir.record.empty') };
}

// People read a visit first, then what happened in it, in the clinic's order; directory
// entries (the patient's own demographics, the clinic, its practitioners) go last.
const DIRECTORY = new Set(['Patient', 'Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Provenance']);

function rank(d: DisplayResource): number {
  if (d.kind === 'encounter') return 0;
  return DIRECTORY.has(d.resourceType) ? 2 : 1;
}

/** Display rows for a whole record: every resource in it, visit first. */
export function describeRecord(text: string): { items: DisplayResource[]; error: string | null } {
  const { resources, error } = parseFhir(text);
  const items = resources
    .map(describeResource)
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
    .map(({ d }) => d);
  return { items, error };
}
