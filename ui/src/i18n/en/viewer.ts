// English messages of the viewer screens and components (see ../english.ts).
export const viewer = {
  // Viewer: the SMART Health Link page anyone opens a shared link with
  'brand': '<strong>Medwallet</strong> · SMART Health Link viewer',
  'untitled': 'Shared health records',
  'paste.title': 'Open a shared health record',
  'paste.label': 'Link',
  'paste.placeholder': 'shlink:/…',
  'paste.submit': 'Continue',
  'paste.notALink': 'Paste a link that starts with shlink:/ (or a viewer link).',
  'opened.decrypted': "Decrypted in this browser with the link's key.",
  'opened.canChange': 'The patient keeps this link up to date: opening it later may show more.',
  'notActive':
    'This link is no longer valid: the patient revoked it, it expired, or too many wrong passcodes were tried. Ask the patient for a new one.',
  'ask.shared': 'A patient shared health records with you.',
  'ask.sharedUntil': 'A patient shared health records with you, until {expiry}.',
  'ask.seen': 'They will see your name below, and when you opened the link, in their wallet.',
  'ask.wrongPasscode': 'Wrong passcode.',
  'ask.needsPasscode': 'This link needs its passcode.',
  'ask.attemptsLeft': '{remaining, plural, one {# attempt left.} other {# attempts left.}}',
  'ask.recipient': 'Your name or organisation',
  'ask.passcode': 'Passcode (the patient gives it to you separately)',
  'ask.busy': 'Opening…',
  'ask.submit': 'Open',

  // shl.ts: reading the link and its files
  'shl.noLink': 'This is not a SMART Health Link (no shlink:/ in it).',
  'shl.undecodable': 'This SMART Health Link is damaged: its payload does not decode.',
  'shl.noUrlOrKey': 'This SMART Health Link is damaged: it has no URL or key.',
  'shl.version': 'This link uses SMART Health Links version {version}; this viewer reads version 1.',
  'shl.notJwe': 'A file of this link is not a JWE.',
  'shl.notShlEncrypted': 'A file of this link is not encrypted the SMART Health Links way.',
  'shl.wrongKey': 'A file of this link does not open with its key: the link is wrong or the file was altered.',
  'shl.serverStatus': "The link's server answered {status}.",
  'shl.serverStatusRetry': "The link's server answered {status}. Try again later.",
  'shl.fileStatus': 'A file could not be fetched ({status}).',
} satisfies Record<string, string>;
