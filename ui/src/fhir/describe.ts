// Turns one FHIR R4 resource into a DisplayResource: words a patient can read, in the order a
// clinician would say them. Anything unknown falls back to a compact generic line.
import {
  arr,
  attachmentText,
  bestConceptText,
  conceptText,
  firstCode,
  firstDate,
  formatPeriod,
  formatQuantity,
  humanName,
  humanizeCode,
  humanizeType,
  isObj,
  num,
  obj,
  quantityUnit,
  referenceText,
  str,
  type Json,
} from './datatypes';
import { observationRows, observationTypeLabel } from './observation';
import type { DisplayField, DisplayResource } from './model';
import { formatNumber } from '../lib/format';

/** Collects label/value pairs, skipping empty values. */
function fields(...pairs: [string, string | undefined | null][]): DisplayField[] {
  return pairs
    .filter((p): p is [string, string] => typeof p[1] === 'string' && p[1].trim() !== '')
    .map(([label, value]) => ({ label, value }));
}

const joined = (xs: (string | undefined)[]) => {
  const parts = [...new Set(xs.filter((x): x is string => Boolean(x)))];
  return parts.length ? parts.join(', ') : undefined;
};

function base(r: Json, kind: DisplayResource['kind'], typeLabel: string): DisplayResource {
  return {
    resourceType: str(r.resourceType) ?? 'Unknown',
    id: str(r.id) ?? null,
    kind,
    typeLabel,
    title: typeLabel,
    date: null,
    status: humanizeCode(str(r.status)) ?? null,
    fields: [],
    values: [],
    note: null,
  };
}

// HL7 v3 ActCode encounter classes, as FHIR R4 Encounter.class carries them (often code only).
const ENCOUNTER_CLASS: Record<string, string> = {
  AMB: 'Outpatient visit',
  EMER: 'Emergency',
  IMP: 'Inpatient stay',
  ACUTE: 'Inpatient stay (acute)',
  NONAC: 'Inpatient stay (non-acute)',
  OBSENC: 'Observation stay',
  PRENC: 'Pre-admission',
  SS: 'Short stay',
  HH: 'Home visit',
  VR: 'Virtual visit',
  FLD: 'Field visit',
};

function encounterClass(cls: Json | undefined): string | undefined {
  const code = str(cls?.code);
  return str(cls?.display) ?? (code ? (ENCOUNTER_CLASS[code.toUpperCase()] ?? humanizeCode(code)) : undefined);
}

function encounter(r: Json): DisplayResource {
  const d = base(r, 'encounter', 'Visit');
  const cls = obj(r.class);
  d.title = bestConceptText(r.type) ?? encounterClass(cls) ?? 'Visit';
  d.date = firstDate(r, ['period']) ?? null;
  const providers = arr(r.participant)
    .filter(isObj)
    .map((p) => referenceText(p.individual) ?? referenceText(p.actor));
  const locations = arr(r.location)
    .filter(isObj)
    .map((l) => referenceText(l.location));
  d.fields = fields(
    ['When', formatPeriod(r.period)],
    ['Reason', joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    ['Provider', joined(providers)],
    ['Clinic', referenceText(r.serviceProvider)],
    ['Location', joined(locations)],
    ['Kind of visit', encounterClass(cls)],
  );
  return d;
}

function observation(r: Json): DisplayResource {
  const d = base(r, 'observation', observationTypeLabel(r));
  d.title = conceptText(r.code) ?? 'Observation';
  d.date = firstDate(r, ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant', 'issued']) ?? null;
  d.values = observationRows(r);
  d.fields = fields(['Note', joined(arr(r.note).filter(isObj).map((n) => str(n.text)))]);
  if (d.status === 'Final') d.status = null; // the normal case; no need to say it
  return d;
}

function condition(r: Json): DisplayResource {
  const d = base(r, 'condition', 'Condition');
  d.title = conceptText(r.code) ?? 'Condition';
  const onsetAge = obj(r.onsetAge);
  const onset =
    firstDate(r, ['onsetDateTime', 'onsetPeriod']) ??
    str(r.onsetString) ??
    (onsetAge ? `Age ${formatQuantity(onsetAge)}` : undefined);
  d.date = onset ?? firstDate(r, ['recordedDate']) ?? null;
  const clinical = humanizeCode(firstCode(r.clinicalStatus));
  d.status = clinical ?? null;
  d.fields = fields(
    ['Since', onset],
    ['Status', clinical],
    ['Verification', humanizeCode(firstCode(r.verificationStatus))],
    ['Resolved', firstDate(r, ['abatementDateTime', 'abatementPeriod']) ?? str(r.abatementString)],
    ['Recorded', firstDate(r, ['recordedDate'])],
  );
  return d;
}

// AllergyIntolerance.criticality (FHIR R4 value set allergy-intolerance-criticality).
const CRITICALITY: Record<string, string> = {
  low: 'Low risk',
  high: 'High risk: may be life-threatening',
  'unable-to-assess': 'Unable to assess',
};

function allergy(r: Json): DisplayResource {
  const d = base(r, 'allergy', r.type === 'intolerance' ? 'Intolerance' : 'Allergy');
  d.title = conceptText(r.code) ?? 'Allergy';
  const clinical = humanizeCode(firstCode(r.clinicalStatus));
  d.status = clinical ?? null;
  const reactions = arr(r.reaction).filter(isObj);
  const manifestations = reactions.flatMap((x) => arr(x.manifestation).map((m) => conceptText(m)));
  const severities = reactions.map((x) => humanizeCode(str(x.severity)));
  const criticality = str(r.criticality);
  d.date = firstDate(r, ['onsetDateTime', 'onsetPeriod', 'recordedDate']) ?? null;
  d.fields = fields(
    ['Reaction', joined(manifestations)],
    ['Severity', joined(severities)],
    ['Criticality', criticality ? (CRITICALITY[criticality] ?? humanizeCode(criticality)) : undefined],
    ['Status', clinical],
    ['Verification', humanizeCode(firstCode(r.verificationStatus))],
    ['Kind', joined(arr(r.category).map((c) => humanizeCode(str(c))))],
    ['Since', firstDate(r, ['onsetDateTime', 'onsetPeriod']) ?? str(r.onsetString)],
    ['Last reaction', firstDate(r, ['lastOccurrence'])],
    ['Recorded', firstDate(r, ['recordedDate'])],
    ['Note', joined(arr(r.note).filter(isObj).map((n) => str(n.text)))],
  );
  return d;
}

/** Dosage in words: its text, else "1 tablet, 2 times per day, as needed". */
function dosageText(x: unknown): string | undefined {
  const out: string[] = [];
  for (const dose of arr(x).filter(isObj)) {
    const text = str(dose.text);
    if (text) {
      out.push(text);
      continue;
    }
    const parts: string[] = [];
    const amount = arr(dose.doseAndRate)
      .filter(isObj)
      .map((dr) => {
        const q = obj(dr.doseQuantity);
        const n = num(q?.value);
        // Synthea gives a bare number: say "1 dose" rather than a lone "1".
        if (n !== undefined && !quantityUnit(q)) return `${formatNumber(n)} dose${n === 1 ? '' : 's'}`;
        return formatQuantity(q);
      })
      .find(Boolean);
    if (amount) parts.push(amount);
    const rep = obj(obj(dose.timing)?.repeat);
    const freq = num(rep?.frequency);
    const period = num(rep?.period);
    const unit = str(rep?.periodUnit);
    const UNITS: Record<string, string> = { s: 'second', min: 'minute', h: 'hour', d: 'day', wk: 'week', mo: 'month', a: 'year' };
    if (freq !== undefined && period !== undefined && unit) {
      const every = period === 1 ? UNITS[unit] ?? unit : `${formatNumber(period)} ${UNITS[unit] ?? unit}s`;
      parts.push(`${freq === 1 ? 'once' : `${freq} times`} per ${every}`);
    }
    if (dose.asNeededBoolean === true) parts.push('as needed');
    if (parts.length) out.push(parts.join(', '));
  }
  return out.length ? out.join('; ') : undefined;
}

function medication(r: Json): DisplayResource {
  const rt = str(r.resourceType) ?? '';
  const label = rt === 'MedicationRequest' ? 'Prescription' : 'Medication';
  const d = base(r, 'medication', label);
  d.title =
    conceptText(r.medicationCodeableConcept) ?? referenceText(r.medicationReference) ?? 'Medication';
  d.date = firstDate(r, ['authoredOn', 'effectiveDateTime', 'effectivePeriod', 'dateAsserted']) ?? null;
  d.fields = fields(
    [rt === 'MedicationRequest' ? 'Prescribed' : 'Date', d.date],
    ['Dosage', dosageText(r.dosageInstruction) ?? dosageText(r.dosage) ?? str(obj(r.dosage)?.text)],
    ['Reason', joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    ['Prescriber', referenceText(r.requester)],
  );
  return d;
}

function immunization(r: Json): DisplayResource {
  const d = base(r, 'immunization', 'Immunization');
  d.title = conceptText(r.vaccineCode) ?? 'Vaccine';
  d.date = firstDate(r, ['occurrenceDateTime']) ?? str(r.occurrenceString) ?? null;
  d.fields = fields(
    ['Given', d.date],
    ['Dose', formatQuantity(r.doseQuantity)],
    ['Lot', str(r.lotNumber)],
    ['Site', conceptText(r.site)],
    ['Location', referenceText(r.location)],
  );
  if (d.status === 'Completed') d.status = null;
  return d;
}

function procedure(r: Json): DisplayResource {
  const d = base(r, 'procedure', 'Procedure');
  d.title = conceptText(r.code) ?? 'Procedure';
  d.date = firstDate(r, ['performedDateTime', 'performedPeriod']) ?? str(r.performedString) ?? null;
  d.fields = fields(
    ['When', str(r.performedDateTime) ? d.date : formatPeriod(r.performedPeriod)],
    ['Reason', joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    ['Location', referenceText(r.location)],
  );
  if (d.status === 'Completed') d.status = null;
  return d;
}

function report(r: Json): DisplayResource {
  const rt = str(r.resourceType) ?? '';
  const d = base(r, 'report', rt === 'DocumentReference' ? 'Document' : 'Report');
  d.title = conceptText(r.code) ?? bestConceptText(r.type) ?? str(r.description) ?? d.typeLabel;
  d.date = firstDate(r, ['effectiveDateTime', 'effectivePeriod', 'issued', 'date']) ?? null;
  const results = arr(r.result).length;
  d.fields = fields(
    ['Results', results ? `${results} result${results === 1 ? '' : 's'}` : undefined],
    ['Category', bestConceptText(r.category)],
    ['Author', joined([...arr(r.performer), ...arr(r.author)].map(referenceText))],
  );
  const attachments = [
    ...arr(r.presentedForm),
    ...arr(r.content).filter(isObj).map((c) => c.attachment),
  ];
  d.note = str(r.conclusion) ?? attachments.map(attachmentText).find(Boolean) ?? null;
  if (d.status === 'Final' || d.status === 'Current') d.status = null;
  return d;
}

/** Best words for a resource we have no dedicated view for. */
function bestText(r: Json): string | undefined {
  const item = arr(r.item).filter(isObj)[0];
  const narrative = str(obj(r.text)?.div)?.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return (
    conceptText(r.code) ??
    bestConceptText(r.category) ??
    conceptText(item?.productOrService) ??
    bestConceptText(r.type) ??
    str(r.title) ??
    str(r.name) ??
    humanName(r.name) ??
    str(r.description) ??
    (narrative || undefined)
  );
}

function generic(r: Json): DisplayResource {
  const rt = str(r.resourceType) ?? 'Unknown';
  const d = base(r, 'other', humanizeType(rt));
  d.title = bestText(r) ?? humanizeType(rt);
  d.date =
    firstDate(r, [
      'effectiveDateTime',
      'occurrenceDateTime',
      'authoredOn',
      'date',
      'created',
      'issued',
      'recorded',
      'period',
      'billablePeriod',
    ]) ?? null;
  const total = obj(r.total);
  const money = num(total?.value);
  if (money !== undefined) d.fields = fields(['Total', `${money.toFixed(2)} ${str(total?.currency) ?? ''}`.trim()]);
  return d;
}

const BY_TYPE: Record<string, (r: Json) => DisplayResource> = {
  Encounter: encounter,
  Observation: observation,
  Condition: condition,
  MedicationRequest: medication,
  MedicationStatement: medication,
  MedicationAdministration: medication,
  Immunization: immunization,
  Procedure: procedure,
  AllergyIntolerance: allergy,
  DiagnosticReport: report,
  DocumentReference: report,
};

export function describeResource(r: Json): DisplayResource {
  const f = BY_TYPE[str(r.resourceType) ?? ''] ?? generic;
  return f(r);
}
