// Fake but realistic data for the browser preview (dev/mock.html).
import type { LabSeries, RecordItem, SharedItem } from '../ipc/types';
import {
  bloodPressure,
  carePlan,
  condition,
  encounter,
  glucose,
  immunization,
  medicationRequest,
  potassium,
} from '../test/fixtures';

export const DEMO_WORDS = [
  'abandon', 'gravity', 'orbit', 'lemon', 'canvas', 'thunder', 'velvet', 'pioneer',
  'harbor', 'meadow', 'crystal', 'falcon', 'ribbon', 'summit', 'anchor', 'willow',
  'ember', 'lantern', 'quartz', 'saddle', 'timber', 'violet', 'walnut', 'zephyr',
];

const clinicA = 'mdw1clinic7h2k9d4s8f3g6j1l5p0q';
const clinicB = 'mdw1clinic3m8n2b7v4c9x1z6a5s0d';

export const DEMO_RECORDS: RecordItem[] = [
  { id: 'r1', title: 'Lipid panel', date: '2024-05-14T09:30:00Z', category: 'labs', clinicAddress: clinicB, clinicName: null, issuedHeight: 127, verifiedHeight: null, sizeBytes: 2400, cached: true, unreadable: false, erased: false, visit: null, file: null },
  { id: 'r2', title: 'Basic metabolic panel', date: '2024-02-03T10:20:00Z', category: 'labs', clinicAddress: clinicA, clinicName: 'Riverside Family Clinic', issuedHeight: 98, verifiedHeight: 131, sizeBytes: 5200, cached: true, unreadable: false, erased: false, visit: null, file: null },
  { id: 'r3', title: 'General examination', date: '2024-02-03T10:00:00Z', category: 'encounter', clinicAddress: clinicA, clinicName: 'Riverside Family Clinic', issuedHeight: 97, verifiedHeight: 131, sizeBytes: 8100, cached: true, unreadable: false, erased: false, visit: null, file: null },
  { id: 'r4', title: 'Influenza vaccine', date: '2023-10-20', category: 'immunizations', clinicAddress: clinicA, clinicName: 'Riverside Family Clinic', issuedHeight: 71, verifiedHeight: 131, sizeBytes: 900, cached: false, unreadable: false, erased: false, visit: null, file: null },
  { id: 'r5', title: 'Metformin 500 mg', date: '2023-06-12', category: 'medications', clinicAddress: clinicA, clinicName: 'Riverside Family Clinic', issuedHeight: 52, verifiedHeight: 131, sizeBytes: 1100, cached: true, unreadable: false, erased: false, visit: null, file: null },
];

export const DEMO_BUNDLE = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [encounter, potassium, glucose, bloodPressure, condition, medicationRequest, immunization, carePlan].map((resource) => ({ resource })),
};

export const DEMO_SERIES: LabSeries[] = [
  {
    code: '6298-4',
    display: 'Potassium',
    unit: 'mmol/L',
    ucum: 'mmol/L',
    low: 3.5,
    high: 5.1,
    points: [
      { date: '2022-03-01', value: 4.1, recordId: 'x1', asRecorded: null },
      { date: '2022-11-15', value: 4.6, recordId: 'x2', asRecorded: null },
      { date: '2023-06-12', value: 4.9, recordId: 'r5', asRecorded: null },
      { date: '2024-02-03', value: 5.83, recordId: 'r2', asRecorded: null },
    ],
  },
  { code: '2339-0', display: 'Glucose', unit: 'mg/dL', ucum: 'mg/dL', low: 70, high: 99, points: [{ date: '2024-02-03', value: 88.6, recordId: 'r2', asRecorded: null }] },
];

export const DEMO_SHARED: SharedItem[] = [
  { patientAddress: 'mdw1patient8d7f6g5h4j3k2l1', patientHandle: 'h-j3k2l1', patientLabel: '', grantId: 'g1', recordId: 'r2', category: 'labs', title: 'Basic metabolic panel', date: '2024-02-03', status: 'active', file: null },
  { patientAddress: 'mdw1patient8d7f6g5h4j3k2l1', patientHandle: 'h-j3k2l1', patientLabel: '', grantId: 'g2', recordId: 'r9', category: 'conditions', title: 'Hypertension', date: '2023-01-02', status: 'revoked', file: null },
  { patientAddress: 'mdw1patient1q2w3e4r5t6y7u8', patientHandle: 'h-t6y7u8', patientLabel: '', grantId: 'g3', recordId: 'r7', category: 'immunizations', title: 'Tetanus booster', date: '2022-05-05', status: 'expired', file: null },
];
