// English messages of the recovery screens and components (see ../english.ts).
export const recovery = {
  // Guardians: who can together recover the patient's wallet, and a recovery under way (<code>: the device code)
  'guardians.title': 'Guardians',
  'guardians.pending':
    '<strong>Someone asked to recover this wallet</strong> to a device with the code <code>{deviceCode}</code>, on {date}: {approvals} of {threshold} guardians approved.',
  'guardians.pendingEffective':
    '<strong>Someone asked to recover this wallet</strong> to a device with the code <code>{deviceCode}</code>, on {date}: {approvals} of {threshold} guardians approved; it takes effect on {effective}.',
  'guardians.pendingNotYou': 'If it was not you, cancel it now.',
  'guardians.cancel': 'Cancel this recovery',
  'guardians.summary': 'Any {threshold} of these {count} can recover your wallet, {delay} after they approve.',
  'guardians.summaryLabelled':
    'Any {threshold} of these {count} can recover your wallet, {delay} after they approve; they know you as “{label}”.',
  'guardians.change': 'To change them, name them again below.',
  'guardians.none':
    'If you lose your 24 words, guardians you trust (family, friends, a clinic) can together give this wallet back to you on a new device. Each holds a share of your recovery phrase; fewer than you ask for learn nothing from theirs.',
  'guardians.codes': "Your guardians' share codes",
  'guardians.codesHint': 'One per line: each guardian makes one for you in their wallet (“Share code for …”).',
  'guardians.codesInvalid': 'Paste one share code per guardian, and ask for between 1 and that many approvals.',
  'guardians.threshold': 'Approvals needed',
  'guardians.delay': 'Waiting time after they approve',
  'guardians.delayShortest': '{delay} (this network’s shortest)',
  'guardians.label': 'How your guardians know you',
  'guardians.labelExample': 'Ana, your sister',
  'guardians.password': 'Your password',
  'guardians.warning':
    'During the waiting time any device of yours sees the recovery and can cancel it. Together, {threshold} guardians could recover your wallet without you: choose them as you would choose who keeps a spare key.',
  'guardians.busy': 'Naming your guardians…',
  'guardians.submit': 'Name these guardians',
  'guardians.cancelTitle': 'Cancel this recovery?',
  'guardians.cancelConfirm': 'Cancel the recovery',
  'guardians.cancelExplanation': 'Nothing of it can take effect afterwards. If it was you on a new device, you can ask again.',

  // GuardianShares: the shares this wallet holds as someone's guardian (<code>: the patient's address)
  'shares.title': 'Recovery shares you hold',
  'shares.holder':
    'You hold a recovery share for <strong>{label}</strong> <code>({address})</code>: any {threshold} of {guardians} guardians can recover their wallet.',
  'shares.request':
    '<strong>{label} asks to recover their wallet</strong> on a new device (asked {date}). Call them on a number you know. Approve only if they read you the code their new device shows.',
  'shares.code': 'The code they read you',
  'shares.approve': 'Approve',
  'shares.decline': 'It is not them: decline',
  'shares.released': 'You released your share to their new device.',
  'shares.declined': 'You declined this recovery.',
  'shares.approvedFrom':
    'You approved. Your share goes to their new device from {date}, when you next open this page.',
  'shares.approvedSoFar': 'You approved; {approvals} of {threshold} guardians so far.',
  'shares.emergency':
    '<strong>Emergency access to the emergency set of {label}.</strong> Check on them, or on someone close to them, if you did not know.',
  'shares.refresh': 'Check again',

  // RecoverWallet: recovering a wallet with its guardians, on a new device
  'recover.title': 'Recover with your guardians',
  'recover.done':
    'Your wallet is back on this device, under new keys: {accounts} account(s) moved, {records} record key(s) wrapped anew. Your old words no longer sign for you. Write down your new words:',
  'recover.readCode': 'Call each of your guardians on a number they know, and read them this code:',
  'recover.finishPassword': "This device's password",
  'recover.finishing': 'Taking your wallet back…',
  'recover.finish': 'Take my wallet back',
  'recover.check': 'Check again',
  'recover.intro':
    'Lost your 24 words? If you named guardians, they can give your wallet back to you on this device. Ask one of them for your account (their wallet shows it under “Recovery shares you hold”).',
  'recover.account': 'Your account',
  'recover.accountExample': 'mdw1…',
  'recover.accountMissing': 'Enter the account to recover: a guardian’s wallet shows it.',
  'recover.asking': 'Asking…',
  'recover.ask': 'Ask my guardians',
  'recover.stageSent': 'Your request is on its way to the ledger.',
  'recover.stageApprovals':
    '{approvals} of {threshold} guardians approved so far{declines, plural, =0 {} other { (# declined)}}.',
  'recover.stageDelay':
    'Approved. For your safety it takes effect on {date}; until then any device holding your old words can cancel it.',
  'recover.stageShares':
    'In effect: {released} of {threshold} guardians released their share. They do when they next open their wallet.',
  'recover.stageReady': 'Your guardians released their shares: you can take your wallet back.',
  'recover.stageCancelled': 'This recovery was cancelled (by a device holding your words, or by your guardians).',
  'recover.stageComplete': 'This recovery is complete.',

  // KeyRotation: moving every account to a new recovery phrase
  'keys.title': 'Your keys',
  'keys.done':
    'Your accounts are under new keys: {accounts} account(s) moved, {records} record key(s) wrapped anew, {shares} share(s) made again, {links} link(s) revoked.',
  'keys.guardiansKept': 'Your {count} guardian(s) now hold shares of the new words.',
  'keys.emergencySetKept': 'Your emergency set is sealed again under the new keys; its code is unchanged.',
  'keys.confirmed': 'Your new recovery phrase is confirmed. The old one no longer restores this wallet.',
  'keys.explanation':
    'Moving to new keys gives your wallet a new recovery phrase. Every account keeps its address and records; your shares are made again under the new keys (doctors keep access), your links are revoked, and the old phrase and any device holding it can no longer sign for you.',
  'keys.password': 'Your password',
  'keys.busy': 'Moving to new keys…',
  'keys.submit': 'Move to new keys',
  'keys.confirmTitle': 'Move to new keys?',
  'keys.confirm': 'Move to new keys',
} satisfies Record<string, string>;
