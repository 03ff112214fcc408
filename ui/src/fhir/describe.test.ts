import { describe, expect, it } from 'vitest';
import { describeResource } from './describe';
import {
  bloodPressure,
  carePlan,
  condition,
  diagnosticReport,
  encounter,
  glucose,
  immunization,
  medicationRequest,
  potassium,
  procedure,
  smokingStatus,
} from '../test/fixtures';

const field = (d: ReturnType<typeof describeResource>, label: string) =>
  d.fields.find((f) => f.label === label)?.value;

describe('Observation', () => {
  it('shows a lab value with unit, reference range and a high flag', () => {
    const d = describeResource(potassium);
    expect(d.kind).toBe('observation');
    expect(d.typeLabel).toBe('Lab result');
    expect(d.title).toBe('Potassium [Moles/volume] in Blood');
    expect(d.date).toBe('5 Mar 2019, 10:20');
    expect(d.status).toBeNull(); // 'final' is the normal case
    expect(d.values).toEqual([{ label: null, value: '5.83 mmol/L', range: '3.5–5.1 mmol/L', flag: 'high' }]);
  });

  it('is not flagged inside the range, and flags low values', () => {
    expect(describeResource(glucose).values[0]).toMatchObject({ value: '88.6 mg/dL', flag: null, range: '70–99 mg/dL' });
    const low = { ...glucose, valueQuantity: { value: 52, unit: 'mg/dL' } };
    expect(describeResource(low).values[0].flag).toBe('low');
  });

  it('takes the name from coding display when there is no text', () => {
    expect(describeResource(glucose).title).toBe('Glucose');
  });

  it('shows blood pressure as systolic/diastolic plus each component', () => {
    const d = describeResource(bloodPressure);
    expect(d.typeLabel).toBe('Vital sign');
    expect(d.values[0]).toEqual({ label: null, value: '131/82 mm[Hg]', range: null, flag: null });
    expect(d.values.slice(1).map((v) => [v.label, v.value])).toEqual([
      ['Diastolic Blood Pressure', '82 mm[Hg]'],
      ['Systolic Blood Pressure', '131 mm[Hg]'],
    ]);
  });

  it('flags a component outside its own reference range', () => {
    const bp = structuredClone(bloodPressure) as typeof bloodPressure & { component: Record<string, unknown>[] };
    bp.component[1].referenceRange = [{ high: { value: 120, unit: 'mm[Hg]' } }];
    const d = describeResource(bp);
    const systolic = d.values.find((v) => v.label === 'Systolic Blood Pressure')!;
    expect(systolic.flag).toBe('high');
    expect(systolic.range).toBe('≤ 120 mm[Hg]');
    expect(d.values[0].flag).toBe('abnormal');
  });

  it('shows coded and string values', () => {
    expect(describeResource(smokingStatus).values[0].value).toBe('Never smoked tobacco');
    expect(describeResource(smokingStatus).typeLabel).toBe('Social history');
    const s = { resourceType: 'Observation', code: { text: 'Comment' }, valueString: 'Feeling well' };
    expect(describeResource(s).values[0].value).toBe('Feeling well');
    const b = { resourceType: 'Observation', code: { text: 'Pregnant' }, valueBoolean: false };
    expect(describeResource(b).values[0].value).toBe('No');
  });

  it('uses the interpretation code when there is no numeric range', () => {
    const o = { ...glucose, referenceRange: undefined, interpretation: [{ coding: [{ code: 'H' }] }] };
    expect(describeResource(o).values[0].flag).toBe('high');
  });

  it('says why a value is missing, and survives a bare observation', () => {
    const absent = { resourceType: 'Observation', code: { text: 'HbA1c' }, dataAbsentReason: { text: 'Sample hemolyzed' } };
    expect(describeResource(absent).values).toEqual([
      { label: null, value: 'Not available (Sample hemolyzed)', range: null, flag: null },
    ]);
    const bare = describeResource({ resourceType: 'Observation' });
    expect(bare.title).toBe('Observation');
    expect(bare.values).toEqual([]);
    expect(bare.date).toBeNull();
  });

  it('ignores malformed values instead of throwing', () => {
    const bad = { resourceType: 'Observation', code: 'not-a-concept', valueQuantity: { value: 'high' }, referenceRange: 'x' };
    const d = describeResource(bad);
    expect(d.title).toBe('Observation');
    expect(d.values).toEqual([]);
  });

  it('uses range text when the range has no numbers', () => {
    const o = { ...glucose, referenceRange: [{ text: 'negative' }] };
    expect(describeResource(o).values[0].range).toBe('negative');
  });
});

describe('Condition', () => {
  it('shows name, onset and clinical status', () => {
    const d = describeResource(condition);
    expect(d.kind).toBe('condition');
    expect(d.title).toBe('Diabetes mellitus type 2');
    expect(d.date).toBe('12 Jun 2015, 08:00');
    expect(d.status).toBe('Active');
    expect(field(d, 'Status')).toBe('Active');
    expect(field(d, 'Verification')).toBe('Confirmed');
    expect(field(d, 'Resolved')).toBeUndefined();
  });

  it('shows a resolved condition with its abatement date', () => {
    const d = describeResource({
      ...condition,
      clinicalStatus: { coding: [{ code: 'resolved' }] },
      abatementDateTime: '2016-01-02',
    });
    expect(d.status).toBe('Resolved');
    expect(field(d, 'Resolved')).toBe('2 Jan 2016');
  });

  it('copes with no code, no onset and no status', () => {
    const d = describeResource({ resourceType: 'Condition' });
    expect(d.title).toBe('Condition');
    expect(d.date).toBeNull();
    expect(d.status).toBeNull();
    expect(d.fields).toEqual([]);
  });
});

describe('MedicationRequest', () => {
  it('shows medication, status, date and a dosage built from the timing', () => {
    const d = describeResource(medicationRequest);
    expect(d.kind).toBe('medication');
    expect(d.typeLabel).toBe('Prescription');
    expect(d.title).toBe('24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet');
    expect(d.status).toBe('Active');
    expect(d.date).toBe('5 Mar 2019, 10:40');
    expect(field(d, 'Dosage')).toBe('1 dose, once per day');
    expect(field(d, 'Prescriber')).toBe('Dr. Anna Berg');
  });

  it('prefers the dosage text when the clinic wrote one', () => {
    const d = describeResource({ ...medicationRequest, dosageInstruction: [{ text: 'Take 1 tablet every morning' }] });
    expect(field(d, 'Dosage')).toBe('Take 1 tablet every morning');
  });

  it('reads a medication reference display and tolerates no dosage', () => {
    const d = describeResource({ resourceType: 'MedicationRequest', status: 'stopped', medicationReference: { reference: 'Medication/1', display: 'Amoxicillin' } });
    expect(d.title).toBe('Amoxicillin');
    expect(d.status).toBe('Stopped');
    expect(field(d, 'Dosage')).toBeUndefined();
  });

  it('describes several doses a day and as-needed use', () => {
    const d = describeResource({
      ...medicationRequest,
      dosageInstruction: [{ timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } }, asNeededBoolean: true, doseAndRate: [{ doseQuantity: { value: 2, unit: 'puff' } }] }],
    });
    expect(field(d, 'Dosage')).toBe('2 puff, 2 times per day, as needed');
  });
});

describe('Immunization, Procedure, DiagnosticReport', () => {
  it('shows the vaccine and when it was given', () => {
    const d = describeResource(immunization);
    expect(d.kind).toBe('immunization');
    expect(d.title).toBe('Influenza, seasonal, injectable, preservative free');
    expect(d.date).toBe('5 Mar 2019, 10:30');
    expect(d.status).toBeNull();
  });

  it('shows a procedure with its period', () => {
    const d = describeResource(procedure);
    expect(d.title).toBe('Medication Reconciliation');
    expect(d.date).toBe('5 Mar 2019, 10:10');
    expect(field(d, 'When')).toBe('5 Mar 2019, 10:10–10:25');
  });

  it('counts a report’s results', () => {
    const d = describeResource(diagnosticReport);
    expect(d.kind).toBe('report');
    expect(d.title).toBe('Basic Metabolic Panel');
    expect(field(d, 'Results')).toBe('2 results');
    expect(d.date).toBe('5 Mar 2019, 10:20');
  });

  it('decodes a clinical note from the presented form', () => {
    const note = 'Patient is doing well — no complaints.';
    const data = btoa(String.fromCharCode(...new TextEncoder().encode(note)));
    const d = describeResource({ resourceType: 'DiagnosticReport', code: { text: 'History and physical note' }, presentedForm: [{ contentType: 'text/plain; charset=utf-8', data }] });
    expect(d.note).toBe(note);
    expect(d.fields.find((f) => f.label === 'Results')).toBeUndefined();
  });
});

describe('Encounter', () => {
  it('shows type, period, reason, provider and clinic', () => {
    const d = describeResource(encounter);
    expect(d.kind).toBe('encounter');
    expect(d.typeLabel).toBe('Visit');
    expect(d.title).toBe('General examination of patient');
    expect(d.date).toBe('5 Mar 2019, 10:00');
    expect(d.status).toBe('Finished');
    expect(field(d, 'When')).toBe('5 Mar 2019, 10:00–10:45');
    expect(field(d, 'Reason')).toBe('Diabetes mellitus type 2');
    expect(field(d, 'Provider')).toBe('Dr. Anna Berg');
    expect(field(d, 'Clinic')).toBe('Riverside Family Clinic');
    expect(field(d, 'Kind of visit')).toBe('Outpatient visit');
  });

  it('falls back to the class when there is no type', () => {
    const d = describeResource({ resourceType: 'Encounter', class: { code: 'EMER' }, period: { start: '2020-02-02' } });
    expect(d.title).toBe('Emergency');
    expect(field(d, 'Kind of visit')).toBe('Emergency');
    expect(field(d, 'When')).toBe('From 2 Feb 2020');
  });
});

describe('other resources', () => {
  it('gives CarePlan a compact line with its best display text', () => {
    const d = describeResource(carePlan);
    expect(d.kind).toBe('other');
    expect(d.typeLabel).toBe('Care plan');
    expect(d.title).toBe('Diabetes self management plan');
    expect(d.date).toBe('12 Jun 2015, 08:00');
  });

  it('describes a Claim by what was billed, with its total', () => {
    const d = describeResource({
      resourceType: 'Claim',
      type: { coding: [{ code: 'institutional' }] },
      billablePeriod: { start: '2019-03-05T10:00:00+00:00' },
      item: [{ sequence: 1, productOrService: { text: 'General examination of patient (procedure)' } }],
      total: { value: 129.16, currency: 'USD' },
    });
    expect(d.title).toBe('General examination of patient');
    expect(d.fields).toEqual([{ label: 'Total', value: '129.16 USD' }]);
  });

  it('handles an unknown resource type with nothing to say', () => {
    const d = describeResource({ resourceType: 'FancyNewThing', id: 'x1' });
    expect(d).toMatchObject({ kind: 'other', typeLabel: 'Fancy new thing', title: 'Fancy new thing', date: null, id: 'x1' });
  });

  it('names a Patient by their HumanName', () => {
    const d = describeResource({ resourceType: 'Patient', name: [{ use: 'official', given: ['Maria'], family: 'Lopez', prefix: ['Mrs.'] }] });
    expect(d.title).toBe('Mrs. Maria Lopez');
  });

  it('survives a resource without a resourceType', () => {
    expect(describeResource({}).resourceType).toBe('Unknown');
  });
});

describe('AllergyIntolerance', () => {
  const penicillin = {
    resourceType: 'AllergyIntolerance',
    id: 'a1',
    clinicalStatus: { coding: [{ code: 'active' }] },
    verificationStatus: { coding: [{ code: 'confirmed' }] },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }] },
    patient: { reference: 'Patient/p1' },
    recordedDate: '2015-03-02',
    reaction: [{ manifestation: [{ text: 'Anaphylaxis' }], severity: 'severe' }],
  };

  it('shows substance, reaction, severity, criticality and status', () => {
    const d = describeResource(penicillin);
    expect(d.kind).toBe('allergy');
    expect(d.typeLabel).toBe('Allergy');
    expect(d.title).toBe('Penicillin');
    expect(d.status).toBe('Active');
    expect(field(d, 'Reaction')).toBe('Anaphylaxis');
    expect(field(d, 'Severity')).toBe('Severe');
    expect(field(d, 'Criticality')).toBe('High risk: may be life-threatening');
    expect(field(d, 'Verification')).toBe('Confirmed');
    expect(field(d, 'Kind')).toBe('Medication');
    expect(d.date).toBe('2 Mar 2015');
  });

  it('calls an intolerance one and copes with a bare entry', () => {
    const d = describeResource({ resourceType: 'AllergyIntolerance', type: 'intolerance', patient: {} });
    expect(d.typeLabel).toBe('Intolerance');
    expect(d.title).toBe('Allergy');
    expect(d.fields).toEqual([]);
  });
});
