// Rules for a new wallet password, checked before anything is sent to the Rust side.
import { t } from '../i18n/translate';

export const MIN_PASSWORD = 8;

/** What is wrong with a new password and its confirmation, or null if nothing. */
export function passwordProblem(password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD) return t('wallet.newPassword.tooShort', { min: MIN_PASSWORD });
  if (password !== confirm) return t('wallet.newPassword.mismatch');
  return null;
}

/** Recovery words as the Rust side wants them: lower case, single spaces. */
export function normalizeWords(text: string): string {
  return text.trim().toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

export function countWords(text: string): number {
  return normalizeWords(text) === '' ? 0 : normalizeWords(text).split(' ').length;
}
