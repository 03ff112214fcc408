// English messages of the wallet's own screens: welcome, create, restore, unlock, password,
// backup words, devices (see ../english.ts).
export const wallet = {
  'unlock.title': 'Unlock your wallet',
  'unlock.explanation': 'Your wallet is locked. Enter the password you chose for it on this device.',
  'unlock.passwordMissing': 'Enter your password.',
  'unlock.busy': 'Unlocking…',
  'unlock.submit': 'Unlock',
} satisfies Record<string, string>;
