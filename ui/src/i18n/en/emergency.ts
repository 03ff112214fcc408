// English messages of the emergency screens and components (see ../english.ts).
export const emergency = {
  // Emergency: the screen, for a clinician and for a patient
  'screen.doctorTitle': 'Emergency access',
  'screen.doctorIntro':
    'For a patient who cannot share: their emergency set (problems, allergies, medications, advance directives, emergency contacts), opened from the code on their emergency card for 24 hours. The patient and their wallet see who asked and why.',
  'screen.patientTitle': 'Emergency',
  'screen.patientIntro':
    "What an emergency department may read while you cannot speak: your problems, allergies, medications and advance directives, and who to call. Its key is split among the ledger's validators: a registered clinician who asks with the code on your emergency card can open it for 24 hours, and you see every access here.",

  // EmergencySet: the patient's emergency set, its code and its contacts
  'set.title': 'Your emergency set',
  'set.ready':
    "Prepared on {date}. A clinician needs {threshold} of the {validators} validators' shares to open it.",
  'set.codeIntro': 'Code for your emergency card (a clinician types or scans it):',
  'set.copyCode': 'Copy the code',
  'set.showPreview': 'Show what a clinician would read',
  'set.hidePreview': 'Hide what a clinician would read',
  'set.none': 'You have no emergency set yet.',
  'set.contacts': 'Emergency contacts',
  'set.name': 'Name',
  'set.relationship': 'Relationship',
  'set.relationshipExample': 'sister',
  'set.phone': 'Phone',
  'set.addContact': 'Add a contact',
  'set.prepare': 'Prepare my emergency set',
  'set.prepareAgain': 'Prepare it again from my records',
  'set.preparing': 'Preparing…',
  'set.remove': 'Remove it',
  'set.removeTitle': 'Remove your emergency set?',
  'set.removeConfirm': 'Remove',
  'set.removeExplanation':
    'From the next block on, nobody can ask for it. A clinician who already opened it keeps what they read.',

  // EmergencyRequest: a clinician breaks the glass
  'request.patient': "Code on the patient's emergency card",
  'request.patientPlaceholder': 'mdw1…',
  'request.reason': 'Reason (the patient reads it)',
  'request.ask': 'Break the glass',
  'request.asking': 'Asking…',
  'request.requested':
    'Request on the ledger at {at}; access ends {ends}. The patient sees who asked and why.',
  'request.waiting': 'Waiting for the validators to release their shares…',
  'request.lookAgain': 'Look again now',
  'request.refused': "Refused shares that are not the patient's from {validators}.",
  'request.summary': 'Emergency summary',

  // EmergencyAccesses: who opened the patient's set
  'accesses.title': 'Who opened it',
  'accesses.none': 'Nobody has asked for your emergency set.',

  // EmergencyAccessList: one break-glass access, in red
  'accessList.by': '<strong>Emergency access by {clinician}</strong> ({clinic}) on {date}.',
  'accessList.byLicensed':
    '<strong>Emergency access by {clinician}</strong> ({clinic}, licence {licence}) on {date}.',
  'accessList.reason': 'Reason: “{reason}”.',
  'accessList.reasonSealed': 'Reason: “the reason does not open with your keys”.',
  'accessList.opened':
    '{released} of the validators released their shares: the clinician could open {whose, select, their {their} other {your}} emergency set, until {until}.',
  'accessList.waiting':
    '{released, plural, one {# share} other {# shares}} of the {threshold} needed released so far, until {until}.',
} satisfies Record<string, string>;
