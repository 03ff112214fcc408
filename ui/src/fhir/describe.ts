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
import { t, type MessageId } from '../i18n/translate';

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

/** The words for a code a table names (own keys only), else undefined. */
function named(ids: Record<string, MessageId>, code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(ids, code) ? t(ids[code]) : undefined;
}

// HL7 v3 ActCode encounter classes, as FHIR R4 Encounter.class carries them (often code only).
const ENCOUNTER_CLASS: Record<string, MessageId> = {
  AMB: 'records.describe.class.amb',
  EMER: 'records.describe.class.emer',
  IMP: 'records.describe.class.imp',
  ACUTE: 'records.describe.class.acute',
  NONAC: 'records.describe.class.nonac',
  OBSENC: 'records.describe.class.obsenc',
  PRENC: 'records.describe.class.prenc',
  SS: 'records.describe.class.ss',
  HH: 'records.describe.class.hh',
  VR: 'records.describe.class.vr',
  FLD: 'records.describe.class.fld',
};

function encounterClass(cls: Json | undefined): string | undefined {
  const code = str(cls?.code);
  return str(cls?.display) ?? named(ENCOUNTER_CLASS, code?.toUpperCase()) ?? humanizeCode(code);
}

function encounter(r: Json): DisplayResource {
  const d = base(r, 'encounter', t('records.describe.visit'));
  const cls = obj(r.class);
  d.title = bestConceptText(r.type) ?? encounterClass(cls) ?? d.typeLabel;
  d.date = firstDate(r, ['period']) ?? null;
  const providers = arr(r.participant)
    .filter(isObj)
    .map((p) => referenceText(p.individual) ?? referenceText(p.actor));
  const locations = arr(r.location)
    .filter(isObj)
    .map((l) => referenceText(l.location));
  d.fields = fields(
    [t('records.describe.when'), formatPeriod(r.period)],
    [t('records.describe.reason'), joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    [t('records.describe.provider'), joined(providers)],
    [t('records.describe.clinic'), referenceText(r.serviceProvider)],
    [t('records.describe.location'), joined(locations)],
    [t('records.describe.kindOfVisit'), encounterClass(cls)],
  );
  return d;
}

function observation(r: Json): DisplayResource {
  const d = base(r, 'observation', observationTypeLabel(r));
  d.title = conceptText(r.code) ?? t('records.describe.observation');
  d.date = firstDate(r, ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant', 'issued']) ?? null;
  d.values = observationRows(r);
  d.fields = fields([t('records.describe.note'), joined(arr(r.note).filter(isObj).map((n) => str(n.text)))]);
  if (str(r.status) === 'final') d.status = null; // the normal case; no need to say it
  return d;
}

function condition(r: Json): DisplayResource {
  const d = base(r, 'condition', t('records.describe.condition'));
  d.title = conceptText(r.code) ?? d.typeLabel;
  const onsetAge = obj(r.onsetAge);
  const onset =
    firstDate(r, ['onsetDateTime', 'onsetPeriod']) ??
    str(r.onsetString) ??
    (onsetAge ? t('records.describe.onsetAge', { age: formatQuantity(onsetAge) }) : undefined);
  d.date = onset ?? firstDate(r, ['recordedDate']) ?? null;
  const clinical = humanizeCode(firstCode(r.clinicalStatus));
  d.status = clinical ?? null;
  d.fields = fields(
    [t('records.describe.since'), onset],
    [t('records.describe.status'), clinical],
    [t('records.describe.verification'), humanizeCode(firstCode(r.verificationStatus))],
    [t('records.describe.resolved'), firstDate(r, ['abatementDateTime', 'abatementPeriod']) ?? str(r.abatementString)],
    [t('records.describe.recorded'), firstDate(r, ['recordedDate'])],
  );
  return d;
}

// AllergyIntolerance.criticality (FHIR R4 value set allergy-intolerance-criticality).
const CRITICALITY: Record<string, MessageId> = {
  low: 'records.describe.criticality.low',
  high: 'records.describe.criticality.high',
  'unable-to-assess': 'records.describe.criticality.unableToAssess',
};

function allergy(r: Json): DisplayResource {
  const d = base(r, 'allergy', t(r.type === 'intolerance' ? 'records.describe.intolerance' : 'records.describe.allergy'));
  d.title = conceptText(r.code) ?? t('records.describe.allergy');
  const clinical = humanizeCode(firstCode(r.clinicalStatus));
  d.status = clinical ?? null;
  const reactions = arr(r.reaction).filter(isObj);
  const manifestations = reactions.flatMap((x) => arr(x.manifestation).map((m) => conceptText(m)));
  const severities = reactions.map((x) => humanizeCode(str(x.severity)));
  const criticality = str(r.criticality);
  d.date = firstDate(r, ['onsetDateTime', 'onsetPeriod', 'recordedDate']) ?? null;
  d.fields = fields(
    [t('records.describe.reaction'), joined(manifestations)],
    [t('records.describe.severity'), joined(severities)],
    [t('records.describe.criticality'), named(CRITICALITY, criticality) ?? humanizeCode(criticality)],
    [t('records.describe.status'), clinical],
    [t('records.describe.verification'), humanizeCode(firstCode(r.verificationStatus))],
    [t('records.describe.kind'), joined(arr(r.category).map((c) => humanizeCode(str(c))))],
    [t('records.describe.since'), firstDate(r, ['onsetDateTime', 'onsetPeriod']) ?? str(r.onsetString)],
    [t('records.describe.lastReaction'), firstDate(r, ['lastOccurrence'])],
    [t('records.describe.recorded'), firstDate(r, ['recordedDate'])],
    [t('records.describe.note'), joined(arr(r.note).filter(isObj).map((n) => str(n.text)))],
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
        if (n !== undefined && !quantityUnit(q)) return t('records.describe.doseCount', { amount: formatNumber(n), count: n });
        return formatQuantity(q);
      })
      .find(Boolean);
    if (amount) parts.push(amount);
    const rep = obj(obj(dose.timing)?.repeat);
    const freq = num(rep?.frequency);
    const period = num(rep?.period);
    const unit = str(rep?.periodUnit);
    if (freq !== undefined && period !== undefined && unit) {
      // periodUnit is a UCUM code of the units-of-time value set: s, min, h, d, wk, mo, a.
      const every = t('records.describe.every', { period, periodText: formatNumber(period), unit });
      parts.push(t('records.describe.frequency', { times: freq, every }));
    }
    if (dose.asNeededBoolean === true) parts.push(t('records.describe.asNeeded'));
    if (parts.length) out.push(parts.join(', '));
  }
  return out.length ? out.join('; ') : undefined;
}

function medication(r: Json): DisplayResource {
  const rt = str(r.resourceType) ?? '';
  const d = base(r, 'medication', t(rt === 'MedicationRequest' ? 'records.describe.prescription' : 'records.describe.medication'));
  d.title =
    conceptText(r.medicationCodeableConcept) ?? referenceText(r.medicationReference) ?? t('records.describe.medication');
  d.date = firstDate(r, ['authoredOn', 'effectiveDateTime', 'effectivePeriod', 'dateAsserted']) ?? null;
  d.fields = fields(
    [t(rt === 'MedicationRequest' ? 'records.describe.prescribed' : 'records.describe.date'), d.date],
    [t('records.describe.dosage'), dosageText(r.dosageInstruction) ?? dosageText(r.dosage) ?? str(obj(r.dosage)?.text)],
    [t('records.describe.reason'), joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    [t('records.describe.prescriber'), referenceText(r.requester)],
  );
  return d;
}

function immunization(r: Json): DisplayResource {
  const d = base(r, 'immunization', t('records.describe.immunization'));
  d.title = conceptText(r.vaccineCode) ?? t('records.describe.vaccine');
  d.date = firstDate(r, ['occurrenceDateTime']) ?? str(r.occurrenceString) ?? null;
  d.fields = fields(
    [t('records.describe.given'), d.date],
    [t('records.describe.dose'), formatQuantity(r.doseQuantity)],
    [t('records.describe.lot'), str(r.lotNumber)],
    [t('records.describe.site'), conceptText(r.site)],
    [t('records.describe.location'), referenceText(r.location)],
  );
  if (str(r.status) === 'completed') d.status = null;
  return d;
}

function procedure(r: Json): DisplayResource {
  const d = base(r, 'procedure', t('records.describe.procedure'));
  d.title = conceptText(r.code) ?? d.typeLabel;
  d.date = firstDate(r, ['performedDateTime', 'performedPeriod']) ?? str(r.performedString) ?? null;
  d.fields = fields(
    [t('records.describe.when'), str(r.performedDateTime) ? d.date : formatPeriod(r.performedPeriod)],
    [t('records.describe.reason'), joined([...arr(r.reasonCode).map(conceptText), ...arr(r.reasonReference).map(referenceText)])],
    [t('records.describe.location'), referenceText(r.location)],
  );
  if (str(r.status) === 'completed') d.status = null;
  return d;
}

function report(r: Json): DisplayResource {
  const rt = str(r.resourceType) ?? '';
  const d = base(r, 'report', t(rt === 'DocumentReference' ? 'records.describe.document' : 'records.describe.report'));
  d.title = conceptText(r.code) ?? bestConceptText(r.type) ?? str(r.description) ?? d.typeLabel;
  d.date = firstDate(r, ['effectiveDateTime', 'effectivePeriod', 'issued', 'date']) ?? null;
  const results = arr(r.result).length;
  d.fields = fields(
    [t('records.describe.results'), results ? t('records.describe.resultCount', { count: results }) : undefined],
    [t('records.describe.category'), bestConceptText(r.category)],
    [t('records.describe.author'), joined([...arr(r.performer), ...arr(r.author)].map(referenceText))],
  );
  const attachments = [
    ...arr(r.presentedForm),
    ...arr(r.content).filter(isObj).map((c) => c.attachment),
  ];
  d.note = str(r.conclusion) ?? attachments.map(attachmentText).find(Boolean) ?? null;
  if (str(r.status) === 'final' || str(r.status) === 'current') d.status = null;
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
  const rt = str(r.resourceType);
  const d = base(r, 'other', rt ? humanizeType(rt) : t('records.describe.unknown'));
  d.title = bestText(r) ?? d.typeLabel;
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
  if (money !== undefined) d.fields = fields([t('records.describe.total'), `${money.toFixed(2)} ${str(total?.currency) ?? ''}`.trim()]);
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
