// Realistic FHIR R4 resources (shaped like Synthea's output) and wire objects for the tests.
import type { LabSeries, RecordItem, SharedItem, SyncStatus, WalletStatus } from '../ipc/types';

export const potassium = {
  resourceType: 'Observation',
  id: 'b3f2c1d0-potassium',
  status: 'final',
  category: [
    {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/observation-category',
          code: 'laboratory',
          display: 'laboratory',
        },
      ],
    },
  ],
  code: {
    coding: [{ system: 'http://loinc.org', code: '6298-4', display: 'Potassium [Moles/volume] in Blood' }],
    text: 'Potassium [Moles/volume] in Blood',
  },
  subject: { reference: 'urn:uuid:patient-1' },
  encounter: { reference: 'urn:uuid:encounter-1' },
  effectiveDateTime: '2019-03-05T10:20:00+00:00',
  issued: '2019-03-05T10:20:00.123+00:00',
  valueQuantity: { value: 5.83, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  referenceRange: [
    {
      low: { value: 3.5, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
      high: { value: 5.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    },
  ],
};

export const glucose = {
  resourceType: 'Observation',
  id: 'glucose-1',
  status: 'final',
  category: [{ coding: [{ code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }] },
  effectiveDateTime: '2019-03-05T10:20:00+00:00',
  valueQuantity: { value: 88.6, unit: 'mg/dL', code: 'mg/dL' },
  referenceRange: [{ low: { value: 70, unit: 'mg/dL' }, high: { value: 99, unit: 'mg/dL' } }],
};

export const bloodPressure = {
  resourceType: 'Observation',
  id: 'bp-1',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'vital-signs' }] }],
  code: {
    coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }],
    text: 'Blood pressure panel with all children optional',
  },
  effectiveDateTime: '2019-03-05T10:05:00+00:00',
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic Blood Pressure' }], text: 'Diastolic Blood Pressure' },
      valueQuantity: { value: 82, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic Blood Pressure' }], text: 'Systolic Blood Pressure' },
      valueQuantity: { value: 131, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
  ],
};

export const smokingStatus = {
  resourceType: 'Observation',
  id: 'smoking-1',
  status: 'final',
  category: [{ coding: [{ code: 'social-history' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '72166-2', display: 'Tobacco smoking status' }] },
  effectiveDateTime: '2019-03-05T10:05:00+00:00',
  valueCodeableConcept: {
    coding: [{ system: 'http://snomed.info/sct', code: '266919005', display: 'Never smoked tobacco (finding)' }],
    text: 'Never smoked tobacco (finding)',
  },
};

export const condition = {
  resourceType: 'Condition',
  id: 'cond-1',
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
  category: [{ coding: [{ code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
  code: {
    coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2 (disorder)' }],
    text: 'Diabetes mellitus type 2 (disorder)',
  },
  onsetDateTime: '2015-06-12T08:00:00+00:00',
  recordedDate: '2015-06-12T08:00:00+00:00',
};

export const medicationRequest = {
  resourceType: 'MedicationRequest',
  id: 'med-1',
  status: 'active',
  intent: 'order',
  medicationCodeableConcept: {
    coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet' }],
    text: '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet',
  },
  authoredOn: '2019-03-05T10:40:00+00:00',
  requester: { reference: 'urn:uuid:pract-1', display: 'Dr. Anna Berg' },
  dosageInstruction: [
    {
      sequence: 1,
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
      asNeededBoolean: false,
      doseAndRate: [{ type: { coding: [{ code: 'ordered' }] }, doseQuantity: { value: 1 } }],
    },
  ],
};

export const immunization = {
  resourceType: 'Immunization',
  id: 'imm-1',
  status: 'completed',
  vaccineCode: {
    coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal, injectable, preservative free' }],
    text: 'Influenza, seasonal, injectable, preservative free',
  },
  occurrenceDateTime: '2019-03-05T10:30:00+00:00',
  primarySource: true,
};

export const encounter = {
  resourceType: 'Encounter',
  id: 'enc-1',
  status: 'finished',
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  type: [
    {
      coding: [{ system: 'http://snomed.info/sct', code: '162673000', display: 'General examination of patient (procedure)' }],
      text: 'General examination of patient (procedure)',
    },
  ],
  period: { start: '2019-03-05T10:00:00+00:00', end: '2019-03-05T10:45:00+00:00' },
  reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2 (disorder)' }] }],
  participant: [
    {
      type: [{ text: 'primary performer' }],
      individual: { reference: 'Practitioner?identifier=x|1', display: 'Dr. Anna Berg' },
    },
  ],
  serviceProvider: { reference: 'Organization?identifier=x|2', display: 'Riverside Family Clinic' },
};

export const procedure = {
  resourceType: 'Procedure',
  id: 'proc-1',
  status: 'completed',
  code: { coding: [{ system: 'http://snomed.info/sct', code: '430193006', display: 'Medication Reconciliation (procedure)' }], text: 'Medication Reconciliation (procedure)' },
  performedPeriod: { start: '2019-03-05T10:10:00+00:00', end: '2019-03-05T10:25:00+00:00' },
};

export const diagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'rep-1',
  status: 'final',
  category: [{ coding: [{ system: 'http://loinc.org', code: 'LP29684-5', display: 'Radiology' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '51990-0', display: 'Basic Metabolic Panel' }] },
  effectiveDateTime: '2019-03-05T10:20:00+00:00',
  issued: '2019-03-05T10:20:00.123+00:00',
  result: [{ reference: 'urn:uuid:glucose-1' }, { reference: 'urn:uuid:b3f2c1d0-potassium' }],
};

export const carePlan = {
  resourceType: 'CarePlan',
  id: 'cp-1',
  status: 'active',
  intent: 'order',
  category: [
    { coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category', code: 'assess-plan' }] },
    { coding: [{ system: 'http://snomed.info/sct', code: '698360004', display: 'Diabetes self management plan' }], text: 'Diabetes self management plan' },
  ],
  period: { start: '2015-06-12T08:00:00+00:00' },
};

export const visitBundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [potassium, glucose, bloodPressure, condition, medicationRequest, immunization, encounter, procedure, diagnosticReport, carePlan].map(
    (resource) => ({ fullUrl: `urn:uuid:${resource.id}`, resource }),
  ),
};

export function record(over: Partial<RecordItem> & { id: string }): RecordItem {
  return {
    title: 'Record',
    date: '2019-03-05',
    category: 'labs',
    clinicAddress: 'mdw1clinicaaaaaaaaaaaaaaaaaaaaaaaaaaaa1',
    clinicName: 'Riverside Family Clinic',
    issuedHeight: 10,
    verifiedHeight: 42,
    sizeBytes: 1200,
    cached: true,
    unreadable: false,
    erased: false,
    visit: null,
    file: null,
    ...over,
  };
}

export const RECORDS: RecordItem[] = [
  record({ id: 'r-old', title: 'Annual check-up', date: '2018-01-10T09:00:00Z', category: 'encounter', issuedHeight: 5 }),
  record({ id: 'r-lab1', title: 'Basic metabolic panel', date: '2019-03-05T10:20:00Z', category: 'labs', issuedHeight: 11 }),
  record({ id: 'r-imm', title: 'Flu vaccine', date: '2019-03-05', category: 'immunizations', issuedHeight: 12 }),
  record({
    id: 'r-new',
    title: 'Lipid panel',
    date: '2020-07-21',
    category: 'labs',
    clinicAddress: 'mdw1clinicbbbbbbbbbbbbbbbbbbbbbbbbbbbb2',
    clinicName: null,
    issuedHeight: 30,
    verifiedHeight: null,
  }),
];

export const patientStatus: WalletStatus = {
  walletExists: true,
  unlocked: true,
  address: 'mdw1patientpppppppppppppppppppppppppppp9',
  shareCode: 'mdwshare1patientcode',
  role: 'patient',
  autoLockMinutes: 5,
  recovering: null,
};

export const lockedStatus: WalletStatus = { ...patientStatus, unlocked: false, address: null, shareCode: null };

export const doctorStatus: WalletStatus = { ...patientStatus, role: 'doctor', address: 'mdw1doctordddddddddddddddddddddddddddddd7' };

export const quietSync: SyncStatus = {
  nodes: [{ url: 'http://127.0.0.1:7001', height: 42, problem: null }],
  verifiedHeight: 42,
  lastSyncMs: Date.UTC(2024, 0, 2, 8, 30),
  syncing: false,
  incidents: [],
  equivocation: null,
};

export const SHARED: SharedItem[] = [
  { patientAddress: 'mdw1patientAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1', patientHandle: 'h-AAAAA1', patientLabel: '', grantId: 'g1', recordId: 'rec-a1', category: 'labs', title: 'Lipid panel', date: '2020-07-21', status: 'active', file: null },
  { patientAddress: 'mdw1patientAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1', patientHandle: 'h-AAAAA1', patientLabel: '', grantId: 'g2', recordId: 'rec-a2', category: 'conditions', title: 'Hypertension', date: '2019-01-02', status: 'revoked', file: null },
  { patientAddress: 'mdw1patientBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2', patientHandle: 'h-BBBBB2', patientLabel: '', grantId: 'g3', recordId: 'rec-b1', category: 'immunizations', title: 'Tetanus booster', date: '2018-05-05', status: 'expired', file: null },
];

export const potassiumSeries: LabSeries = {
  code: '6298-4',
  display: 'Potassium',
  unit: 'mmol/L',
  ucum: 'mmol/L',
  low: 3.5,
  high: 5.1,
  points: [
    { date: '2019-03-05', value: 5.83, recordId: 'r-lab1', asRecorded: null },
    { date: '2018-01-10', value: 4.2, recordId: 'r-old', asRecorded: null },
  ],
};
