// The viewer's SMART Health Links code against the spec's own examples, and the manifest
// protocol's answers (401 with the attempts left, 404 once revoked) with fetch mocked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decryptFile, hasFlag, openLink, parseLink } from './shl';

// vitest runs in ui/; the vectors are the repository's, shared with the Rust tests.
const vectors = resolve(process.cwd(), '../tests/vectors/shl');
const fileVector = JSON.parse(readFileSync(resolve(vectors, 'spec-example-file.json'), 'utf8'));
const linkVector = JSON.parse(readFileSync(resolve(vectors, 'spec-example-payload.json'), 'utf8'));

afterEach(() => vi.unstubAllGlobals());

describe('the spec examples', () => {
  it('reads the example link, bare and behind a viewer URL', () => {
    for (const text of [linkVector.link, linkVector.viewer_link]) {
      const link = parseLink(text);
      expect(link.url).toBe(linkVector.payload.url);
      expect(link.label).toBe(linkVector.payload.label);
      expect(hasFlag(link, 'P')).toBe(true);
      expect(hasFlag(link, 'U')).toBe(false);
    }
  });

  it('decrypts the example file with the example key, and refuses another key', async () => {
    expect(await decryptFile(fileVector.key, fileVector.jwe)).toBe(fileVector.plaintext);
    const other = 'A'.repeat(43);
    await expect(decryptFile(other, fileVector.jwe)).rejects.toThrow(/does not open/);
  });

  it('refuses what is not a link', () => {
    expect(() => parseLink('https://example.org')).toThrow(/not a SMART Health Link/);
    expect(() => parseLink('shlink:/!!!')).toThrow(/damaged/);
  });
});

describe('the manifest protocol', () => {
  const link = { url: 'https://node.example/shl/t', key: fileVector.key, flag: 'P' };

  it('reports a wrong passcode with the attempts left', async () => {
    const fetch = vi.fn().mockResolvedValue(new Response(JSON.stringify({ remainingAttempts: 2 }), { status: 401 }));
    vi.stubGlobal('fetch', fetch);
    expect(await openLink(link, 'St Mary ED', '0000')).toEqual({ kind: 'passcode', wrong: true, remaining: 2 });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(link.url);
    expect(JSON.parse(init.body)).toEqual({ recipient: 'St Mary ED', passcode: '0000' });
  });

  it('says a revoked link is no longer active', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('{}', { status: 404 })));
    expect(await openLink(link, 'St Mary ED', '1234')).toEqual({ kind: 'not-active' });
  });

  it('opens embedded and located files', async () => {
    const manifest = { status: 'finalized', files: [{ contentType: 'application/fhir+json', embedded: fileVector.jwe }, { contentType: 'application/fhir+json', location: 'https://node.example/f' }] };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url === link.url ? new Response(JSON.stringify(manifest)) : new Response(fileVector.jwe),
      ),
    );
    const out = await openLink(link, 'St Mary ED', '1234');
    expect(out).toEqual({ kind: 'opened', status: 'finalized', files: [fileVector.plaintext, fileVector.plaintext] });
  });
});

describe('zip DEF', () => {
  it('inflates a deflated file after decrypting it', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    const rawKey = new Uint8Array(32).fill(7);
    const header = b64(new TextEncoder().encode('{"alg":"dir","enc":"A256GCM","cty":"application/fhir+json","zip":"DEF"}'));
    const iv = new Uint8Array(12).fill(1);
    const plain = '{"resourceType":"Bundle","type":"collection","entry":[]}';
    const key = await crypto.subtle.importKey('raw', rawKey, 'AES-GCM', false, ['encrypt']);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(header) },
        key,
        new Uint8Array(deflateRawSync(Buffer.from(plain))),
      ),
    );
    const compact = [header, '', b64(iv), b64(sealed.slice(0, -16)), b64(sealed.slice(-16))].join('.');
    expect(await decryptFile(b64(rawKey), compact)).toBe(plain);
  });
});
