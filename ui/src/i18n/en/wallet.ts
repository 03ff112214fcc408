// English messages of the wallet's own screens: welcome, create, restore, unlock, password,
// backup words, devices (see ../english.ts).
export const wallet = {
  // Welcome: first run, no wallet on this device yet
  'welcome.title': 'Your medical records, in your hands',
  'welcome.explanation':
    'Medwallet keeps the records your clinics issue to you, checks each one against a public ledger, and lets you decide which doctor may see what. Your keys never leave this device.',
  'welcome.create': 'Create a new wallet',
  'welcome.createHint': 'Start fresh. You will get 24 recovery words to write down.',
  'welcome.restore': 'Restore from recovery words',
  'welcome.restoreHint': 'Already have a wallet? Bring it to this device with your 24 words.',
  'welcome.join': 'Join from another device',
  'welcome.joinHint': 'Your wallet is open on another device? It shows a code; type it here.',
  'welcome.recover': 'Recover with your guardians',
  'welcome.recoverHint': 'Lost your words? The guardians you named can give your wallet back to you here.',

  // CreateWallet: password, recovery words, registration on the ledger
  'create.title': 'Create a new wallet',
  'create.explanation': 'Choose a password. You will need it to open the wallet on this device.',
  'create.busy': 'Creating…',
  'create.submit': 'Create wallet',
  'create.registerTitle': 'Registering your wallet',
  'create.registerExplanation':
    'Your backup is confirmed. Medwallet now registers you as a patient on the ledger so that clinics can issue records to you.',
  'create.registering': 'Registering…',
  'create.registerLater': 'You can try again now, or continue and register later from Home.',
  'create.retry': 'Try again',
  'create.continue': 'Continue',

  // RestoreWallet: an existing wallet from its 24 recovery words
  'restore.title': 'Restore your wallet',
  'restore.explanation': 'Type your 24 recovery words in order, separated by spaces or new lines.',
  'restore.words': 'Recovery words',
  'restore.count': '{count} of 24 words',
  'restore.wordsMissing': 'Enter your 24 recovery words.',
  'restore.busy': 'Restoring…',
  'restore.submit': 'Restore wallet',

  // Unlock: the wallet exists but is locked
  'unlock.title': 'Unlock your wallet',
  'unlock.explanation': 'Your wallet is locked. Enter the password you chose for it on this device.',
  'unlock.passwordMissing': 'Enter your password.',
  'unlock.busy': 'Unlocking…',
  'unlock.submit': 'Unlock',

  // NewPassword: a new wallet password and its confirmation (and lib/password's rules)
  'newPassword.hint': 'At least {min} characters. It unlocks this wallet on this device only.',
  'newPassword.repeat': 'Repeat the password',
  'newPassword.tooShort': 'Use at least {min} characters.',
  'newPassword.mismatch': 'The two passwords do not match.',

  // BackupWords: the recovery words shown once, then some typed back
  'backup.title': 'Write down your recovery words',
  'backup.warning':
    '<strong>These 24 words are the only way to recover your wallet.</strong> Write them on paper, in order, and keep them somewhere safe. Anyone who has them can read your records. Do not take a screenshot or store them online. Medwallet will not show them again.',
  'backup.written': 'I wrote them down',
  'backup.checkTitle': 'Check your backup',
  'backup.checkExplanation': 'Type the words at these positions, from what you wrote down.',
  'backup.word': 'Word #{position}',
  'backup.showAgain': 'Show the words again',
  'backup.busy': 'Checking…',
  'backup.submit': 'Confirm',

  // JoinDevice: take the wallet from an unlocked device by its code
  'join.waitingTitle': 'Type this on your other device',
  'join.waitingExplanation':
    'Your other device asks for the check code this one shows. Once you type it there, your wallet arrives here. If your other device did not ask, someone else may have your code: go back, and start again there.',
  'join.waiting': 'Waiting for your wallet…',
  'join.title': 'Join from another device',
  'join.explanation':
    'On a device where your wallet is open, go to Settings → Your devices → Add a device. Scan the QR code it shows, or type its code (five digits and three words).',
  'join.scan': 'Scan its QR code',
  'join.stopCamera': 'Stop the camera',
  'join.picture': 'or read it from a picture',
  'join.code': 'The code',
  'join.codeExample': '31874-ocean-velvet-ranch',
  'join.codeMissing': 'Type the code your other device shows.',
  'join.noCamera': 'This device offers no camera here: type the code, or read it from a picture.',
  'join.cameraFailed': 'The camera could not be opened: type the code, or read it from a picture.',
  'join.nothingSeen': 'No code was seen: type it, or read it from a picture.',
  'join.notAPicture': 'That file is not a picture this device can read.',
  'join.busy': 'Answering…',
  'join.submit': 'Join',

  // AddDevice: your devices, and adding one by a code
  'devices.title': 'Your devices',
  'devices.explanation':
    'Every device with your wallet is you. To add one, show it a code from here: no need to type your 24 words. If a device is lost, change your keys below, and every device you did not set up again is locked out.',
  'devices.sent': 'Sent: your new device holds your wallet now, under its own password.',
  'devices.qrAlt': 'QR code of the device code',
  'devices.offer': 'On the new device, choose <strong>Join from another device</strong> and type this code, or scan it:',
  'devices.offerExpiry': 'It works once, until {until}. Keep it to yourself.',
  'devices.waiting': 'Waiting for the new device…',
  'devices.answered':
    '<strong>A device answered.</strong> Type the check code it shows. If it shows none, or another device answered, cancel: someone else may have your code.',
  'devices.checkCode': 'The check code on the new device',
  'devices.password': 'Your password',
  'devices.busy': 'Sending…',
  'devices.send': 'Send my wallet to it',
  'devices.add': 'Add a device',
} satisfies Record<string, string>;
