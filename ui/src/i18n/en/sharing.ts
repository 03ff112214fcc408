// English messages of the sharing screens and components (see ../english.ts).
export const sharing = {
  // The state of a grant or a link (the chips of GrantList, LinkList, SharedWithMe)
  state: '{state, select, active {active} revoked {revoked} expired {expired} exhausted {exhausted} other {{state}}}',

  // Sharing: the screen, its two ways and its sections
  'sharing.title': 'Sharing',
  'sharing.wayDoctor': 'A doctor with Medwallet',
  'sharing.wayLink': 'A link or QR code for anyone',
  'sharing.doctorIntro':
    'You decide which doctor sees which records. Every grant and revocation is recorded on the ledger, and every time a doctor fetches a record the serving node leaves a receipt there too.',
  'sharing.shareWithDoctor': 'Share with a doctor',
  'sharing.whoHasAccess': 'Who has access',
  'sharing.accessLog': 'Access log',
  'sharing.linkIntro':
    'A SMART Health Link opens in any browser or health app, without an account. Its key is only in the link: the nodes serve encrypted files and cannot read them. Every opening, and every wrong passcode, is recorded on the ledger with the name the receiver gave.',
  'sharing.makeLink': 'Make a link',
  'sharing.myLinks': 'My links',
  'sharing.openLink': 'Open a link someone shared',

  // GrantForm: share records with a doctor
  'grantForm.doctorName': 'Dr. {name}',
  'grantForm.doctorMissing': "Enter the doctor's share code or address.",
  'grantForm.expiryInvalid': 'Pick a valid expiry date (YYYY-MM-DD).',
  'grantForm.noRecordChosen': 'Choose at least one record to share.',
  'grantForm.doctor': "Doctor's share code or address",
  'grantForm.doctorPlaceholder': 'mdwshare1… or mdw1…',
  'grantForm.lookingUp': 'Looking up…',
  'grantForm.lookUp': 'Look up',
  'grantForm.doctorInfo':
    '<strong>{name}</strong>, licence {licence}, {clinic} — verified on ledger at height {height}',
  'grantForm.whatToShare': 'What to share',
  'grantForm.scopeAll': 'All my records (including future ones)',
  'grantForm.scopeCategory': 'One category:',
  'grantForm.scopeRecords': 'Chosen records',
  'grantForm.noRecords': 'You have no records yet.',
  'grantForm.label': 'How the doctor knows you (optional)',
  'grantForm.labelPlaceholder': 'Your name and date of birth',
  'grantForm.labelHint':
    'Sent sealed to this doctor only, so your records from different clinics show as one patient to them. Nothing on the ledger says it.',
  'grantForm.until': 'Access ends (optional)',
  'grantForm.untilPlaceholder': 'YYYY-MM-DD',
  'grantForm.untilHint': 'Access stops at the end of that day (UTC). Leave empty for no end date.',
  'grantForm.submitting': 'Sharing…',
  'grantForm.submit': 'Share',
  'grantForm.result':
    'Shared with {who}: {count, plural, one {# record} other {# records}} shared. Grant <code>{grantId}</code> proven on the ledger at height {height}.',

  // GrantList: who has access, and revoking it
  'grantList.revoked': 'Access revoked: proven on the ledger at height {height}. {notice}',
  'grantList.none': 'You have not shared records with anyone.',
  'grantList.details':
    'Shares: {scope} · {end, select, expired {Expired {date}} expires {Expires {date}} other {No end date}} · granted at height {height}',
  'grantList.revoke': 'Revoke',
  'grantList.confirmTitle': 'Revoke access for {who}?',
  'grantList.confirmLabel': 'Revoke access',
  'grantList.explanation':
    "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.",

  // LinkForm: make a SMART Health Link
  'linkForm.noCategory': 'Choose at least one category.',
  'linkForm.labelTooLong': 'The label can be at most 80 characters.',
  'linkForm.expiryInvalid': 'Pick a valid expiry date (YYYY-MM-DD).',
  'linkForm.whatToShare': 'What to share',
  'linkForm.kindCategories': 'Some kinds of records',
  'linkForm.kindAll': 'All my records',
  'linkForm.kindSummary': 'My summary',
  'linkForm.label': 'Label (what the receiver sees)',
  'linkForm.labelPlaceholder': 'Allergies & meds',
  'linkForm.expires': 'Expires (7 days if blank)',
  'linkForm.passcode': 'Passcode (optional; tell it to the receiver separately)',
  'linkForm.longTerm': 'Keep it up to date: records issued later join the link',
  'linkForm.busy': 'Making the link…',
  'linkForm.submit': 'Make the link',
  'linkForm.created': 'Link made, proven on the ledger at height {height} ({files}).',
  'linkForm.qrAlt': 'QR code of the link',
  'linkForm.viewerUrl': 'Viewer link (opens in any browser)',
  'linkForm.copyViewerUrl': 'Copy viewer link',
  'linkForm.shlink': 'SMART Health Link (for apps that read them)',
  'linkForm.copyShlink': 'Copy link',

  // LinkList: the patient's links, their openings, and revoking one
  'linkList.unlabelled': 'Unlabelled link',
  'linkList.revoked': 'Link revoked: proven on the ledger at height {height}. {notice}',
  'linkList.none': 'You have not made any links.',
  'linkList.details':
    'Shares: {shared}{longTerm, select, yes { (kept up to date)} other {}} · {state, select, expired {Expired} other {Expires}} {date}{passcode, select, yes { · passcode, {attemptsLeft, plural, one {# attempt} other {# attempts}} left} other {}} · made at height {height}',
  'linkList.access':
    '{outcome, select, opened {Opened} other {Wrong passcode}} by {named, select, yes {“{recipient}”} other {“unknown”}}, {date}, via {node}',
  'linkList.accessHeight': '(height {height})',
  'linkList.notOpened': 'Not opened yet.',
  'linkList.copyViewerUrl': 'Copy viewer link',
  'linkList.revoke': 'Revoke',
  'linkList.confirmTitle': 'Revoke “{name}”?',
  'linkList.confirmLabel': 'Revoke link',
  'linkList.explanation':
    'Every node refuses the link from the next block on. Whoever already opened it keeps what they saw.',

  // LinkOpen: open a link someone shared
  'linkOpen.link': 'Link (shlink:/… or a viewer link)',
  'linkOpen.recipient': 'Your name (the patient sees it)',
  'linkOpen.passcode': 'Passcode, if it has one',
  'linkOpen.busy': 'Opening…',
  'linkOpen.submit': 'Open',
  'linkOpen.untitled': 'Shared records',

  // AccessLog: every fetch of a shared record
  'accessLog.none': 'No doctor has fetched any of your records yet.',
  'accessLog.when': 'When',
  'accessLog.who': 'Who',
  'accessLog.record': 'Record',
  'accessLog.node': 'Served by node',
  'accessLog.proof': 'Proof',
  'accessLog.verified': 'verified at height {height}',

  // CopyButton
  'copyButton.failed': 'Could not copy to the clipboard. Select the text and copy it by hand.',

  // MyCard: the patient's card
  'myCard.title': 'My card',
  'myCard.intro':
    'Show this to your first clinic or to a doctor. The share code lets a clinic issue records to you and lets you be found for sharing. It gives nobody access to your records by itself. For every other clinic, make a code of its own below.',
  'myCard.qrAlt': 'QR code of your share code',
  'myCard.shareCode': 'Share code',
  'myCard.copyShareCode': 'Copy share code',
  'myCard.address': 'Address',
  'myCard.copyAddress': 'Copy address',
  'myCard.loading': 'Loading…',

  // ClinicCodes: a share code for each clinic
  'clinicCodes.title': 'A code for each clinic',
  'clinicCodes.intro':
    'Give each clinic a code of its own. Each code is a separate account of this wallet, so no two clinics can tell from the ledger that they treat the same person. Your wallet shows all of their records together.',
  'clinicCodes.firstCode': 'Your first code',
  'clinicCodes.account': 'Account {account}',
  'clinicCodes.labelPlaceholder': 'Which clinic (for you only)',
  'clinicCodes.making': 'Registering…',
  'clinicCodes.make': 'Make a code for a new clinic',
  'clinicCodes.qrAlt': 'QR code of the new share code',
  'clinicCodes.made':
    '{named, select, yes {New code for {label}, registered on the ledger:} other {New code, registered on the ledger:}}',
  'clinicCodes.copyShareCode': 'Copy share code',

  // SharedWithMe: doctor mode, what patients shared
  'sharedWithMe.title': 'Shared with me',
  'sharedWithMe.intro': 'Records your patients chose to share with you, checked against the ledger.',
  'sharedWithMe.emptyTitle': 'Nothing shared with you yet',
  'sharedWithMe.emptyText':
    'Give your share code (<strong>My card</strong>) to your patient. Once they grant you access, their records appear here.',
  'sharedWithMe.patient': 'Patient <code>{handle}</code>',
  'sharedWithMe.accounts': '{count, plural, =1 {One account} other {# accounts (one per clinic)}}:',
  'sharedWithMe.opening': 'Opening…',
  'sharedWithMe.revoked':
    'Access was revoked by the patient; copies downloaded earlier remain with whoever downloaded them',
  'sharedWithMe.expired': 'Access has expired; copies downloaded earlier remain with whoever downloaded them',
} satisfies Record<string, string>;
