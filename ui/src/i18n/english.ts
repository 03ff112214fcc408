// The English catalogue: every message the app shows, keyed "area.name". Each area's messages
// are in ./en/<area>.ts (so the components of one area read one file); a translation is one
// object with these keys (see translate.ts). Messages are ICU MessageFormat: `{name}` for a
// value, `{count, plural, one {…} other {…}}`, `<strong>…</strong>` for emphasis (Message.svelte),
// and `'{'` to write a brace.
import { common } from './en/common';
import { emergency } from './en/emergency';
import { fhir } from './en/fhir';
import { records } from './en/records';
import { recovery } from './en/recovery';
import { sharing } from './en/sharing';
import { status } from './en/status';
import { viewer } from './en/viewer';
import { wallet } from './en/wallet';

type Prefixed<P extends string, T> = { [K in keyof T & string as `${P}.${K}`]: string };

function prefixed<P extends string, T extends Record<string, string>>(prefix: P, messages: T): Prefixed<P, T> {
  return Object.fromEntries(Object.entries(messages).map(([k, v]) => [`${prefix}.${k}`, v])) as Prefixed<P, T>;
}

export const english = {
  ...prefixed('common', common),
  ...prefixed('wallet', wallet),
  ...prefixed('records', records),
  ...prefixed('sharing', sharing),
  ...prefixed('recovery', recovery),
  ...prefixed('emergency', emergency),
  ...prefixed('status', status),
  ...prefixed('viewer', viewer),
  ...prefixed('fhir', fhir),
};
