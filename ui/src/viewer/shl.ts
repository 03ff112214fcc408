// SMART Health Links in the browser (HL7 SMART Health Cards and Links IG, STU1), for the
// viewer anyone opens a link with: the shlink:/ payload, the manifest request, and the JWE
// files (alg dir, enc A256GCM, optional zip DEF) decrypted with WebCrypto and inflated with
// DecompressionStream. The key never leaves this page: it lives in the URL's fragment, which
// browsers do not send to any server.
import { t } from '../i18n/translate';

export interface ShlPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
  v?: number;
}

export type Outcome =
  | { kind: 'opened'; files: string[]; status: string | null }
  | { kind: 'passcode'; wrong: boolean; remaining: number | null }
  | { kind: 'not-active' }
  | { kind: 'error'; message: string };

function b64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The link in `text` (bare `shlink:/…` or a viewer URL ending in `#shlink:/…`). */
export function parseLink(text: string): ShlPayload {
  const start = text.indexOf('shlink:/');
  if (start < 0) throw new Error(t('viewer.shl.noLink'));
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(b64urlBytes(text.slice(start + 8).trim())));
  } catch {
    throw new Error(t('viewer.shl.undecodable'));
  }
  const p = payload as ShlPayload;
  if (typeof p?.url !== 'string' || typeof p?.key !== 'string' || p.key.length !== 43) {
    throw new Error(t('viewer.shl.noUrlOrKey'));
  }
  if (p.v !== undefined && p.v !== 1) {
    throw new Error(t('viewer.shl.version', { version: String(p.v) }));
  }
  return p;
}

export function hasFlag(p: ShlPayload, flag: 'L' | 'P' | 'U'): boolean {
  return (p.flag ?? '').includes(flag);
}

async function inflateRaw(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decrypts one compact JWE file with the link's key; returns its text. */
export async function decryptFile(keyB64: string, compact: string): Promise<string> {
  const parts = compact.trim().split('.');
  if (parts.length !== 5) throw new Error(t('viewer.shl.notJwe'));
  const [headerB64, encryptedKey, ivB64, ctB64, tagB64] = parts;
  const header = JSON.parse(new TextDecoder().decode(b64urlBytes(headerB64)));
  if (header.alg !== 'dir' || header.enc !== 'A256GCM' || encryptedKey !== '') {
    throw new Error(t('viewer.shl.notShlEncrypted'));
  }
  const key = await crypto.subtle.importKey('raw', b64urlBytes(keyB64), 'AES-GCM', false, ['decrypt']);
  const ct = b64urlBytes(ctB64);
  const tag = b64urlBytes(tagB64);
  const sealed = new Uint8Array(ct.length + tag.length);
  sealed.set(ct);
  sealed.set(tag, ct.length);
  let plain: Uint8Array<ArrayBuffer>;
  try {
    plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: b64urlBytes(ivB64), additionalData: new TextEncoder().encode(headerB64), tagLength: 128 },
        key,
        sealed,
      ),
    );
  } catch {
    throw new Error(t('viewer.shl.wrongKey'));
  }
  if (header.zip === 'DEF') plain = await inflateRaw(plain);
  return new TextDecoder().decode(plain);
}

/** Opens `link` as `recipient` (shown to the patient in their access log). */
export async function openLink(link: ShlPayload, recipient: string, passcode?: string): Promise<Outcome> {
  try {
    if (hasFlag(link, 'U')) {
      const sep = link.url.includes('?') ? '&' : '?';
      const r = await fetch(`${link.url}${sep}recipient=${encodeURIComponent(recipient)}`);
      if (r.status === 404) return { kind: 'not-active' };
      if (!r.ok) return { kind: 'error', message: t('viewer.shl.serverStatus', { status: String(r.status) }) };
      return { kind: 'opened', files: [await decryptFile(link.key, await r.text())], status: null };
    }
    const body: Record<string, unknown> = { recipient };
    if (passcode !== undefined) body.passcode = passcode;
    const r = await fetch(link.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status === 401) {
      const refused = await r.json().catch(() => ({}));
      const remaining = typeof refused.remainingAttempts === 'number' ? refused.remainingAttempts : null;
      return { kind: 'passcode', wrong: passcode !== undefined, remaining };
    }
    if (r.status === 404) return { kind: 'not-active' };
    if (!r.ok) return { kind: 'error', message: t('viewer.shl.serverStatusRetry', { status: String(r.status) }) };
    const manifest = await r.json();
    const files: string[] = [];
    for (const f of manifest.files ?? []) {
      let compact: string;
      if (typeof f.embedded === 'string') compact = f.embedded;
      else {
        const got = await fetch(f.location);
        if (got.status === 404) return { kind: 'not-active' };
        if (!got.ok) return { kind: 'error', message: t('viewer.shl.fileStatus', { status: String(got.status) }) };
        compact = await got.text();
      }
      files.push(await decryptFile(link.key, compact));
    }
    return { kind: 'opened', files, status: typeof manifest.status === 'string' ? manifest.status : null };
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}
