// Incidents come from the Rust side as "<node url> served invalid data: <reason>" or
// "equivocation at height N: <a> and <b> serve different finalized blocks". The banner names
// the node first, in plain words; the rest is the Rust side's text.
import { t } from '../i18n/translate';

export function describeIncident(incident: string): string {
  const s = incident.trim();
  const m = /^([a-z][a-z0-9+.-]*:\/\/\S+?)[:,]?\s+(.+)$/i.exec(s);
  if (m) return t('status.lying.node', { url: m[1], reason: m[2] });
  if (/^node\b/i.test(s)) return s;
  return s.charAt(0).toUpperCase() + s.slice(1);
}
