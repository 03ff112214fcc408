// What the record view renders: one DisplayResource per FHIR resource, already in words.

export type ResourceKind =
  | 'encounter'
  | 'observation'
  | 'condition'
  | 'allergy'
  | 'medication'
  | 'immunization'
  | 'procedure'
  | 'report'
  | 'other';

export interface DisplayField {
  label: string;
  value: string;
}

/** One measured value of an Observation (the value itself, or one component of it). */
export interface ValueRow {
  /** Null for the observation's own value; the component's name otherwise. */
  label: string | null;
  value: string;
  /** Reference range in words, e.g. "3.5–5.1 mmol/L". */
  range: string | null;
  /** Out of the reference range (or flagged by the lab's interpretation). */
  flag: 'low' | 'high' | 'abnormal' | null;
}

export interface DisplayResource {
  resourceType: string;
  id: string | null;
  kind: ResourceKind;
  /** What sort of thing this is, in words: "Lab result", "Visit", "Prescription". */
  typeLabel: string;
  /** The main words: test name, diagnosis, medication, vaccine... */
  title: string;
  /** Formatted date of the event, when there is one. */
  date: string | null;
  status: string | null;
  fields: DisplayField[];
  values: ValueRow[];
  /** Longer free text (a report's conclusion or a clinical note). */
  note: string | null;
}
