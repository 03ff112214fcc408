// English messages of the records screens: home, a record, the summary, charts, search,
// erasure (see ../english.ts).
export const records = {
  // Also the desktop notification (lib/notify): "2 new records from Riverside Clinic and Harbour Clinic".
  arrived: '{count, plural, one {# new record} other {# new records}}',
  arrivedFrom: '{count, plural, one {# new record} other {# new records}} from {from}',

  // Home: the timeline, its filters and notices
  'home.title': 'My records',
  'home.sync': 'Sync',
  'home.syncing': 'Syncing…',
  'home.erased':
    'Record erased at height {height}{links, plural, =0 {} other { ({links} link(s) that held it revoked)}}. {notice}',
  'home.unregistered':
    'This wallet is not registered as a patient on the ledger yet, so clinics cannot issue records to it.',
  'home.register': 'Register now',
  'home.registering': 'Registering…',
  'home.emptyTitle': 'No records yet',
  'home.emptyHelp':
    'Show your card (<strong>My card</strong> in the menu) to your clinic: with your share code they can issue your records to this wallet. Then press <strong>Sync</strong> to fetch them from the ledger.',
  'home.searchLabel': 'Search tests, conditions, medications',
  'home.searchPlaceholder': 'e.g. glucose, asthma, metformin',
  'home.category': 'Category',
  'home.allCategories': 'All categories',
  'home.clinic': 'Clinic',
  'home.allClinics': 'All clinics',
  'home.noMatch': 'No records match these filters.',
  'home.showMore': 'Show older records ({hidden} more)',

  // Category names (lib/categories), in chips and filters
  'category.labs': 'Lab results',
  'category.vitalSigns': 'Vital signs',
  'category.conditions': 'Conditions',
  'category.medications': 'Medications',
  'category.allergies': 'Allergies',
  'category.immunizations': 'Immunizations',
  'category.procedures': 'Procedures',
  'category.reports': 'Reports',
  'category.encounter': 'Visits',
  'category.other': 'Other',

  // RecordListItem: one record in a timeline
  'listItem.opening': 'Opening…',
  'listItem.file': 'File: {name} ({size}). Choosing it saves it to your Downloads folder.',
  'save.downloading': 'Downloading {name}: {done} of {of}',
  'save.opening': 'Decrypting {name}: {done} of {of}',
  'save.saved': 'Saved {name} to {path}: checked against the ledger, {size}.',
  'listItem.erased':
    'You erased this record: its keys left the ledger and the nodes deleted their copies. Only the fact that it existed is kept.',
  'listItem.unreadable':
    'Its key was not sent to this wallet, so it cannot be opened. Ask the clinic to issue it again.',

  // VerifiedBadge: whether the ledger vouches for a record
  'badge.verified': 'Verified on ledger at height {height}',
  'badge.unverified': 'Not verified: this record has not been checked against the ledger yet. Sync to verify it.',

  // RecordView: one opened record
  'view.issuedBy': 'Issued by {clinic}',
  'view.sharedBy': 'Shared by {name}',
  'view.labValues': 'Lab values over time',
  'view.apart':
    '{name} is charted once per unit: its values are in units that do not convert into each other ({units}).',
  'view.noUnit': 'no unit',
  'view.singleValue': '<strong>{name}</strong>: {value}',
  'view.singleNote': '({date}; only one measurement so far)',
  'view.showRaw': 'Show raw JSON',
  'view.hideRaw': 'Hide raw JSON',
  'view.rawLabel': 'The record as issued, FHIR JSON',

  // A reference range, in FhirResource and LabChart
  normalRange: 'Normal range: {range}',

  // FhirResource: one resource in words
  'resource.result': 'Result',
  'resource.flag': '{flag, select, low {Low} high {High} other {Abnormal}}',
  'resource.field': '{label}: {value}',
  'resource.readNote': 'Read the note',

  // LabChart: one lab test over time
  'chart.converted': 'Some values were recorded in another unit and converted to {unit}.',
  'chart.overTime': '{name} over time',
  'chart.values': '{name} values',
  'chart.recordedAs': '{value} (recorded as {recorded})',

  // SearchResultsList: records matching a search, and what matched
  'search.summary':
    '{count, plural, one {# record matches} other {# records match}} “{query}”{titlesOnly, plural, =0 {.} one {; # not kept on this device was searched by title only.} other {; # not kept on this device were searched by title only.}}',
  'search.matchKind':
    '{kind, select, title {Title} test {Test} condition {Condition} medication {Medication} allergy {Allergy} procedure {Procedure} vaccine {Vaccine} report {Report} visit {Visit} other {{kind}}}:',

  // Summary: the International Patient Summary
  'summary.title': 'My summary',
  'summary.print': 'Print',
  'summary.export': 'Export everything',
  'summary.exporting': 'Exporting…',
  'summary.exported':
    "Exported {count, plural, one {# record} other {# records}} with their proofs to {path}. Anyone can check it with <code>medwallet verify-export</code> and the chain's genesis.",
  'summary.intro':
    'An International Patient Summary built on this device from the records verified on the ledger: what a doctor you have never met needs first.',
  'summary.loading': 'Building your summary…',
  'summary.empty': 'Nothing in your verified records.',
  'summary.provenance': 'From {clinic} · verified at ledger height {height}',

  // EraseRecord: erasing a record, with an honest confirmation
  'erase.button': 'Erase this record',
  'erase.confirmTitle': 'Erase this record for good?',
  'erase.confirm': 'Erase record',
  'erase.explanation':
    "Erasing removes this record's keys from the ledger and every node deletes its encrypted copy, so nobody can open it again. The ledger keeps that a record existed (its clinic, when, and a hash of its encrypted bytes), and copies already downloaded or shared cannot be recalled.",

  // ErasureList: erased records and the nodes that deleted them
  'erasures.none': 'You have not erased any record.',
  'erasures.record': 'Record <code>{id}…</code> erased {date}',
  'erasures.deletedBy': 'Deleted by {deleted} of {nodes} nodes',
  'erasures.deletedByNodes': 'Deleted by {deleted} of {nodes} nodes: {list}',

  // Record descriptions (fhir/describe): kinds of resource
  'describe.visit': 'Visit',
  'describe.observation': 'Observation',
  'describe.condition': 'Condition',
  'describe.allergy': 'Allergy',
  'describe.intolerance': 'Intolerance',
  'describe.prescription': 'Prescription',
  'describe.medication': 'Medication',
  'describe.immunization': 'Immunization',
  'describe.vaccine': 'Vaccine',
  'describe.procedure': 'Procedure',
  'describe.document': 'Document',
  'describe.report': 'Report',
  'describe.unknown': 'Unknown',
  // Record descriptions: field labels
  'describe.when': 'When',
  'describe.reason': 'Reason',
  'describe.provider': 'Provider',
  'describe.clinic': 'Clinic',
  'describe.location': 'Location',
  'describe.kindOfVisit': 'Kind of visit',
  'describe.note': 'Note',
  'describe.since': 'Since',
  'describe.status': 'Status',
  'describe.verification': 'Verification',
  'describe.resolved': 'Resolved',
  'describe.recorded': 'Recorded',
  'describe.reaction': 'Reaction',
  'describe.severity': 'Severity',
  'describe.criticality': 'Criticality',
  'describe.kind': 'Kind',
  'describe.lastReaction': 'Last reaction',
  'describe.prescribed': 'Prescribed',
  'describe.date': 'Date',
  'describe.dosage': 'Dosage',
  'describe.prescriber': 'Prescriber',
  'describe.given': 'Given',
  'describe.dose': 'Dose',
  'describe.lot': 'Lot',
  'describe.site': 'Site',
  'describe.results': 'Results',
  'describe.category': 'Category',
  'describe.author': 'Author',
  'describe.total': 'Total',
  // Record descriptions: values in words
  'describe.onsetAge': 'Age {age}',
  'describe.resultCount': '{count, plural, one {# result} other {# results}}',
  'describe.doseCount': '{amount} {count, plural, one {dose} other {doses}}',
  'describe.every':
    '{period, plural, =1 {{unit, select, s {second} min {minute} h {hour} d {day} wk {week} mo {month} a {year} other {{unit}}}} other {{periodText} {unit, select, s {seconds} min {minutes} h {hours} d {days} wk {weeks} mo {months} a {years} other {{unit}s}}}}',
  'describe.frequency': '{times, plural, =1 {once} other {{times} times}} per {every}',
  'describe.asNeeded': 'as needed',
  // Record descriptions: encounter classes (HL7 v3 ActCode)
  'describe.class.amb': 'Outpatient visit',
  'describe.class.emer': 'Emergency',
  'describe.class.imp': 'Inpatient stay',
  'describe.class.acute': 'Inpatient stay (acute)',
  'describe.class.nonac': 'Inpatient stay (non-acute)',
  'describe.class.obsenc': 'Observation stay',
  'describe.class.prenc': 'Pre-admission',
  'describe.class.ss': 'Short stay',
  'describe.class.hh': 'Home visit',
  'describe.class.vr': 'Virtual visit',
  'describe.class.fld': 'Field visit',
  // Record descriptions: allergy criticality
  'describe.criticality.low': 'Low risk',
  'describe.criticality.high': 'High risk: may be life-threatening',
  'describe.criticality.unableToAssess': 'Unable to assess',
} satisfies Record<string, string>;
