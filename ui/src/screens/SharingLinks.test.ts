// The "link or QR code for anyone" side of Sharing: make a link (QR, viewer URL), list links
// with every opening by name, revoke one.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import Sharing from './Sharing.svelte';
import { mockBackend } from '../test/backend';
import { RECORDS } from '../test/fixtures';
import type { LinkItem } from '../ipc/types';

const LINK = 'shlink:/eyJ1cmwiOiJodHRwOi8vbm9kZS9zaGwvdCIsImtleSI6ImsifQ';

function linkItem(): LinkItem {
  return {
    id: 'l-1',
    label: 'Allergies & meds',
    link: LINK,
    viewerUrl: `http://node/viewer#${LINK}`,
    shared: 'Allergies, Medications',
    status: 'active',
    expiresAtMs: Date.UTC(2030, 0, 1),
    passcode: true,
    attemptsLeft: 9,
    longTerm: false,
    createdHeight: 40,
    accesses: [
      { outcome: 'opened', recipient: 'St Mary ED', node: 'node 2', atMs: Date.UTC(2026, 11, 3, 14, 2), height: 44 },
      { outcome: 'wrong-passcode', recipient: 'St Mary ED', node: 'node 1', atMs: Date.UTC(2026, 11, 3, 14, 1), height: 43 },
    ],
  };
}

function backend() {
  let links: LinkItem[] = [];
  return mockBackend({
    records: RECORDS,
    grants: [],
    access_log: [],
    links: () => links,
    create_link: () => {
      links = [linkItem()];
      return { id: 'l-1', link: LINK, qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', viewerUrl: `http://node/viewer#${LINK}`, height: 40, files: ['Allergies (1 records)'] };
    },
    revoke_link: ({ id }) => {
      links = links.map((l) => (l.id === id ? { ...l, status: 'revoked' } : l));
      return { height: 50, notice: 'Every node refuses this link from now on.' };
    },
  });
}

describe('Sharing by link', () => {
  it('makes a link with a passcode and shows it as a QR code and a viewer URL', async () => {
    const b = backend();
    render(Sharing);
    await fireEvent.click(screen.getByTestId('share-way-link'));
    await fireEvent.input(screen.getByTestId('link-label'), { target: { value: 'Allergies & meds' } });
    await fireEvent.input(screen.getByTestId('link-passcode'), { target: { value: '4321' } });
    await fireEvent.click(screen.getByTestId('link-create'));
    await screen.findByTestId('link-created');
    const [call] = b.callsOf('create_link');
    expect(call.args.request).toEqual({
      selection: { kind: 'categories', categories: ['allergies', 'medications'] },
      label: 'Allergies & meds',
      expires: null,
      passcode: '4321',
      longTerm: false,
    });
    expect((screen.getByTestId('link-viewer-url') as HTMLInputElement).value).toBe(`http://node/viewer#${LINK}`);
    expect((screen.getByTestId('link-qr') as HTMLImageElement).src).toMatch(/^data:image\/svg\+xml;base64,/);
    const item = await screen.findByTestId('link-item');
    const accesses = within(item).getAllByTestId('link-access').map((a) => a.textContent ?? '');
    expect(accesses[0]).toContain('Opened by “St Mary ED”');
    expect(accesses[0]).toContain('via node 2');
    expect(accesses[1]).toContain('Wrong passcode');
  });

  it('revokes a link after saying what revocation can and cannot do', async () => {
    const b = backend();
    render(Sharing);
    await fireEvent.click(screen.getByTestId('share-way-link'));
    await fireEvent.click(screen.getByTestId('link-create'));
    await fireEvent.click(await screen.findByTestId('link-revoke'));
    expect(screen.getByRole('dialog').textContent).toContain('keeps what they saw');
    await fireEvent.click(screen.getByTestId('link-revoke-confirm'));
    await screen.findByTestId('link-revoke-notice');
    expect(b.callsOf('revoke_link')[0].args).toEqual({ id: 'l-1' });
    await waitFor(() => expect(screen.getByTestId('link-item').dataset.status).toBe('revoked'));
  });

  it('refuses a link with no category before asking the wallet', async () => {
    const b = backend();
    render(Sharing);
    await fireEvent.click(screen.getByTestId('share-way-link'));
    await fireEvent.click(screen.getByTestId('link-category-allergies'));
    await fireEvent.click(screen.getByTestId('link-category-medications'));
    await fireEvent.click(screen.getByTestId('link-create'));
    expect(await screen.findByText('Choose at least one category.')).toBeTruthy();
    expect(b.callsOf('create_link')).toHaveLength(0);
  });
});
