// Parsing the Settings form before it goes to the Rust side (which validates again).
import { t } from '../i18n/translate';

/** One node URL per line; blank lines and surrounding spaces ignored, duplicates dropped. */
export function parseNodes(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
}

/** What is wrong with the form, or null. */
export function settingsProblem(nodes: string[], minutes: number): string | null {
  if (nodes.length === 0) return t('status.settings.noNodes');
  const bad = nodes.find((n) => !/^https?:\/\/\S+$/i.test(n));
  if (bad) return t('status.settings.badNode', { url: bad });
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    return t('status.settings.badMinutes');
  }
  return null;
}
