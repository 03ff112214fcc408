// Reading FHIR R4 data types defensively. The JSON comes from a clinic and is shown as is, so
// every accessor tolerates missing fields and wrong types instead of throwing.
import { formatDate, formatNumber } from '../lib/format';
import { t, type MessageId } from '../i18n/translate';

export type Json = Record<string, unknown>;

export const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
export const str = (x: unknown): string | undefined =>
  typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined;
export const num = (x: unknown): number | undefined =>
  typeof x === 'number' && Number.isFinite(x) ? x : undefined;
export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined || x === null ? [] : [x]);
export const obj = (x: unknown): Json | undefined => (isObj(x) ? x : undefined);

// SNOMED CT displays end in a semantic tag, "Diabetes mellitus type 2 (disorder)", which tells
// terminologists the concept's hierarchy and tells a patient nothing.
const SEMANTIC_TAG =
  /\s+\((disorder|finding|procedure|situation|regime\/therapy|observable entity|substance|product|medicinal product|clinical drug|body structure|qualifier value|morphologic abnormality|event|record artifact|assessment scale|physical object|specimen|organism|person|environment)\)$/i;

export function withoutSemanticTag(s: string): string {
  return s.replace(SEMANTIC_TAG, '');
}

/** The words for a CodeableConcept: its text, else the first coding display, else a code. */
export function conceptText(cc: unknown): string | undefined {
  const c = obj(cc);
  if (!c) return undefined;
  const text = str(c.text);
  if (text) return withoutSemanticTag(text);
  const codings = arr(c.coding).filter(isObj);
  for (const coding of codings) {
    const d = str(coding.display);
    if (d) return withoutSemanticTag(d);
  }
  for (const coding of codings) {
    const code = str(coding.code);
    if (code) return code;
  }
  return undefined;
}

/** The first concept in a list (or single value) that has words; codes only as a last resort. */
export function bestConceptText(x: unknown): string | undefined {
  const concepts = arr(x).filter(isObj);
  for (const c of concepts) {
    const t = str(c.text) ?? arr(c.coding).filter(isObj).map((k) => str(k.display)).find(Boolean);
    if (t) return withoutSemanticTag(t);
  }
  for (const c of concepts) {
    const t = conceptText(c);
    if (t) return t;
  }
  return undefined;
}

/** The code of the first coding (e.g. a clinicalStatus 'active'). */
export function firstCode(cc: unknown): string | undefined {
  const c = obj(cc);
  if (!c) return undefined;
  for (const coding of arr(c.coding).filter(isObj)) {
    const code = str(coding.code);
    if (code) return code;
  }
  return str(c.text);
}

/** The words for a key a table names (own keys only), else undefined. */
function named(ids: Record<string, MessageId>, key: string): string | undefined {
  return Object.hasOwn(ids, key) ? t(ids[key]) : undefined;
}

// FHIR R4 codes a clinic often sends without a display: resource statuses, condition and
// allergy clinical and verification statuses, reaction severities, allergy categories.
const CODES: Record<string, MessageId> = {
  active: 'fhir.code.active',
  inactive: 'fhir.code.inactive',
  recurrence: 'fhir.code.recurrence',
  relapse: 'fhir.code.relapse',
  remission: 'fhir.code.remission',
  resolved: 'fhir.code.resolved',
  unconfirmed: 'fhir.code.unconfirmed',
  provisional: 'fhir.code.provisional',
  differential: 'fhir.code.differential',
  confirmed: 'fhir.code.confirmed',
  refuted: 'fhir.code.refuted',
  'entered-in-error': 'fhir.code.enteredInError',
  registered: 'fhir.code.registered',
  partial: 'fhir.code.partial',
  preliminary: 'fhir.code.preliminary',
  final: 'fhir.code.final',
  amended: 'fhir.code.amended',
  corrected: 'fhir.code.corrected',
  appended: 'fhir.code.appended',
  cancelled: 'fhir.code.cancelled',
  unknown: 'fhir.code.unknown',
  planned: 'fhir.code.planned',
  arrived: 'fhir.code.arrived',
  triaged: 'fhir.code.triaged',
  'in-progress': 'fhir.code.inProgress',
  finished: 'fhir.code.finished',
  draft: 'fhir.code.draft',
  proposed: 'fhir.code.proposed',
  'on-hold': 'fhir.code.onHold',
  suspended: 'fhir.code.suspended',
  revoked: 'fhir.code.revoked',
  completed: 'fhir.code.completed',
  stopped: 'fhir.code.stopped',
  intended: 'fhir.code.intended',
  'not-taken': 'fhir.code.notTaken',
  'not-done': 'fhir.code.notDone',
  preparation: 'fhir.code.preparation',
  current: 'fhir.code.current',
  superseded: 'fhir.code.superseded',
  mild: 'fhir.code.mild',
  moderate: 'fhir.code.moderate',
  severe: 'fhir.code.severe',
  food: 'fhir.code.food',
  medication: 'fhir.code.medication',
  environment: 'fhir.code.environment',
  biologic: 'fhir.code.biologic',
};

/** A known code in the catalogue's words; else, in English only, 'not-done' -> 'Not done'. */
export function humanizeCode(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const known = named(CODES, code);
  if (known) return known;
  const s = code.replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// FHIR R4 resource types a record may hold that have no dedicated view (fhir/describe).
const TYPES: Record<string, MessageId> = {
  Patient: 'fhir.type.patient',
  Practitioner: 'fhir.type.practitioner',
  PractitionerRole: 'fhir.type.practitionerRole',
  RelatedPerson: 'fhir.type.relatedPerson',
  Organization: 'fhir.type.organization',
  Location: 'fhir.type.location',
  Provenance: 'fhir.type.provenance',
  CarePlan: 'fhir.type.carePlan',
  CareTeam: 'fhir.type.careTeam',
  Goal: 'fhir.type.goal',
  Claim: 'fhir.type.claim',
  ExplanationOfBenefit: 'fhir.type.explanationOfBenefit',
  Coverage: 'fhir.type.coverage',
  Device: 'fhir.type.device',
  ImagingStudy: 'fhir.type.imagingStudy',
  SupplyDelivery: 'fhir.type.supplyDelivery',
  Medication: 'fhir.type.medication',
  Composition: 'fhir.type.composition',
  Consent: 'fhir.type.consent',
  FamilyMemberHistory: 'fhir.type.familyMemberHistory',
  Specimen: 'fhir.type.specimen',
  ServiceRequest: 'fhir.type.serviceRequest',
  Appointment: 'fhir.type.appointment',
  QuestionnaireResponse: 'fhir.type.questionnaireResponse',
  ClinicalImpression: 'fhir.type.clinicalImpression',
  NutritionOrder: 'fhir.type.nutritionOrder',
};

/** A known type in the catalogue's words; else, in English only, 'DeviceMetric' -> 'Device metric'. */
export function humanizeType(resourceType: string): string {
  const known = named(TYPES, resourceType);
  if (known) return known;
  const words = resourceType.replace(/([a-z])([A-Z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(' ');
}

/** The unit to print for a Quantity: its human unit, else its UCUM code (but not the '1' unit). */
export function quantityUnit(q: unknown): string | undefined {
  const o = obj(q);
  if (!o) return undefined;
  const u = str(o.unit) ?? str(o.code);
  return u === '1' ? undefined : u;
}

/** "5.1 mmol/L", "< 0.5 mg/dL", "98 %". */
export function formatQuantity(q: unknown): string | undefined {
  const o = obj(q);
  if (!o) return undefined;
  const v = num(o.value);
  if (v === undefined) return undefined;
  const cmp = str(o.comparator);
  const unit = quantityUnit(o);
  return `${cmp ? `${cmp} ` : ''}${formatNumber(v)}${unit ? (unit === '%' ? '%' : ` ${unit}`) : ''}`;
}

/** "3.5–5.1 mmol/L", "≥ 40 mg/dL", "≤ 200 mg/dL", or the range's text. */
export function formatRange(r: unknown): string | undefined {
  const o = obj(r);
  if (!o) return undefined;
  const low = num(obj(o.low)?.value);
  const high = num(obj(o.high)?.value);
  const unit = quantityUnit(o.low) ?? quantityUnit(o.high);
  const u = unit ? ` ${unit}` : '';
  if (low !== undefined && high !== undefined) return `${formatNumber(low)}–${formatNumber(high)}${u}`;
  if (low !== undefined) return `≥ ${formatNumber(low)}${u}`;
  if (high !== undefined) return `≤ ${formatNumber(high)}${u}`;
  return str(o.text);
}

/** "5 Mar 2019 – 9 Mar 2019", or one end when only one is known. */
export function formatPeriod(p: unknown): string | undefined {
  const o = obj(p);
  if (!o) return undefined;
  const start = formatDate(str(o.start));
  const end = formatDate(str(o.end));
  if (start && end) {
    if (start === end) return start;
    // Same day with times: "5 Mar 2019, 10:00–10:30".
    const [sd, st] = start.split(', ');
    const [ed, et] = end.split(', ');
    if (st && et && sd === ed) return t('fhir.period.sameDay', { day: sd, start: st, end: et });
    return t('fhir.period.range', { start, end });
  }
  if (start) return t('fhir.period.from', { start });
  if (end) return t('fhir.period.until', { end });
  return undefined;
}

/** The display text of a Reference (clinics put names there); never the raw "urn:uuid:...". */
export function referenceText(ref: unknown): string | undefined {
  return str(obj(ref)?.display);
}

/** A HumanName (or list of them) as "Given Family", with prefix. */
export function humanName(x: unknown): string | undefined {
  for (const n of arr(x).filter(isObj)) {
    const text = str(n.text);
    if (text) return text;
    const parts = [
      ...arr(n.prefix).map(str),
      ...arr(n.given).map(str),
      str(n.family),
    ].filter((p): p is string => Boolean(p));
    if (parts.length) return parts.join(' ');
  }
  return undefined;
}

/** The first date-like value among the named fields, formatted; period fields use their start. */
export function firstDate(r: Json, fields: string[]): string | undefined {
  for (const f of fields) {
    const v = r[f];
    const s = str(v) ?? str(obj(v)?.start);
    if (s) return formatDate(s) ?? undefined;
  }
  return undefined;
}

/** Text of an Attachment when it is inline plain text (Synthea puts clinical notes there). */
export function attachmentText(a: unknown): string | undefined {
  const o = obj(a);
  const data = str(o?.data);
  const type = str(o?.contentType) ?? 'text/plain';
  if (!data || !type.startsWith('text/')) return undefined;
  try {
    const binary = atob(data);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return new TextDecoder('utf-8').decode(bytes).trim() || undefined;
  } catch {
    return undefined;
  }
}
