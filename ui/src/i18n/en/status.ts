// English messages of the status screens and components (see ../english.ts).
export const status = {
  // App: the shell while the wallet status is loading, or when it could not be read
  'app.opening': 'Opening Medwallet…',
  'app.failed': 'Medwallet could not start',
  'app.retry': 'Try again',

  // Sidebar: the app's navigation, the wallet's role and the lock button
  'nav.label': 'Main',
  'nav.shared': 'Shared with me',
  'nav.home': 'My records',
  'nav.summary': 'My summary',
  'nav.card': 'My card',
  'nav.sharing': 'Sharing',
  'nav.emergency': 'Emergency',
  'nav.sync': 'Sync status',
  'nav.settings': 'Settings',
  'nav.lock': 'Lock wallet',
  'role.patient': 'Patient',
  'role.doctor': 'Doctor',
  'role.clinic': 'Clinic',
  'role.unregistered': 'Not registered',
  'role.unknown': 'Role unknown (offline)',

  // ConfirmDialog: the confirm button while the confirmed action runs
  'confirm.working': 'Working…',

  // SyncStatus: the nodes, what each served, and what the wallet verified
  'sync.title': 'Sync status',
  'sync.syncing': 'Syncing…',
  'sync.now': 'Sync now',
  'sync.verifiedHeight': 'Records verified at ledger height',
  'sync.notVerified': 'Not verified yet',
  'sync.lastSync': 'Last sync',
  'sync.never': 'Never',
  'sync.nodes': 'Nodes',
  'sync.nodesExplanation':
    "The wallet trusts no single node: it cross-checks them and verifies every answer against the ledger's signatures. A node that serves something that does not verify is reported.",
  'sync.nodeHeight': 'verified tip: height {height}',
  'sync.nodeOk': 'OK',
  'sync.nodeSilent': 'No answer yet',
  'sync.noNodes': 'No nodes configured. Add some in Settings.',
  'sync.loading': 'Loading…',

  // lib/sync: the progress bar's label during a sync
  'progress.starting': 'Starting sync…',
  'progress.header': 'Checking the ledger with the nodes…',
  'progress.records': 'Fetching records {done} of {total}',
  'progress.recordsUnknown': 'Fetching records…',
  'progress.done': 'Done',

  // SyncReportView: what the last sync found
  'report.newRecords': '{count, plural, =0 {No new records} one {# new record} other {# new records}}',
  'report.total': '· {count, plural, one {# record} other {# records}} in total · ledger verified at height {height}',
  'report.keysShared':
    '· {count, plural, one {# access key} other {# access keys}} delivered to doctors you shared with',
  'report.unreadable':
    '{count, plural, one {# record} other {# records}} from {clinics} cannot be opened with your keys: the clinic did not send the key to this wallet. They stay listed; ask the clinic to issue them again.',

  // LyingBanner and lib/incidents: nodes caught lying, named
  'lying.title': '{count, plural, one {A ledger node was caught lying.} other {# ledger nodes were caught lying.}}',
  'lying.rejected': 'Their answers failed verification and were rejected.',
  'lying.node': 'Node {url} was caught lying: {reason}',

  // EquivocationBanner: validators signed two blocks at one height; new ledger data is paused
  'equivocation.title': "The ledger's validators contradicted themselves. New ledger data is paused.",
  'equivocation.acknowledge': 'I understand, continue',

  // Settings: nodes, auto-lock and the chain this wallet trusts (and lib/settings' checks)
  'settings.title': 'Settings',
  'settings.nodes': 'Ledger nodes',
  'settings.nodesHint': 'One URL per line. Use several: the wallet cross-checks them and catches a lying node.',
  'settings.autoLock': 'Lock automatically after (minutes of inactivity)',
  'settings.saved': 'Settings saved.',
  'settings.saving': 'Saving…',
  'settings.save': 'Save',
  'settings.ledger': 'Ledger',
  'settings.chain': 'Chain',
  'settings.chainUnknown': 'Not known yet',
  'settings.genesis': 'Genesis file',
  'settings.genesisNone': 'None',
  'settings.devnet': 'Local devnet',
  'settings.devnetYes': 'Yes: this app started its own local test ledger',
  'settings.devnetNo': 'No',
  'settings.genesisExplanation':
    "The genesis file is the wallet's anchor of trust: every header it accepts must chain back to it.",
  'settings.erased': 'Erased records',
  'settings.noNodes': 'Enter at least one node URL.',
  'settings.badNode': 'Not a node URL (it must start with http:// or https://): {url}',
  'settings.badMinutes': 'Auto-lock must be a whole number of minutes between 1 and 1440.',
} satisfies Record<string, string>;
