// English messages many screens share (see ../english.ts).
export const common = {
  brand: '✚ Medwallet',
  appName: 'Medwallet',
  cancel: 'Cancel',
  close: 'Close',
  dismiss: 'Dismiss',
  back: 'Back',
  copy: 'Copy',
  copied: 'Copied',
  password: 'Password',
} satisfies Record<string, string>;
