// Keys for real people on the desktop: erasing a record (with what stays said first), the
// nodes' deletion receipts, and moving to new keys (the new words typed back).
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Home from './Home.svelte';
import Settings from './Settings.svelte';
import { mockBackend } from '../test/backend';
import { RECORDS, patientStatus, potassiumSeries, visitBundle } from '../test/fixtures';
import { session } from '../lib/session.svelte';
import type { ErasureItem, RecordItem } from '../ipc/types';

const SETTINGS = { nodes: ['http://127.0.0.1:7001'], genesisPath: null, chainId: 'c', autoLockMinutes: 5, devnet: true };

describe('erasing a record', () => {
  it('says what stays, erases on confirm, and lists the record as erased', async () => {
    let list: RecordItem[] = RECORDS;
    const backend = mockBackend({
      records: () => list,
      open_record: ({ id }) => ({ record: RECORDS.find((r) => r.id === id), fhir: JSON.stringify(visitBundle) }),
      lab_series: [potassiumSeries],
      erase_record: ({ id }) => {
        list = RECORDS.map((r) => (r.id === id ? { ...r, title: 'Erased record', unreadable: true, erased: true } : r));
        return { records: 1, linksRevoked: 1, height: 77, notice: 'copies already downloaded or shared cannot be recalled' };
      },
    });
    render(Home);
    const items = await screen.findAllByTestId('record-item');
    await fireEvent.click(items.find((i) => i.dataset.id === 'r-lab1')!);
    await fireEvent.click(await screen.findByTestId('erase-record'));
    expect(screen.getByRole('dialog').textContent).toContain('The ledger keeps that a record existed');
    await fireEvent.click(screen.getByTestId('erase-confirm'));
    const notice = await screen.findByTestId('erase-notice');
    expect(notice.textContent).toContain('height 77');
    expect(notice.textContent).toContain('1 link(s) that held it revoked');
    expect(backend.callsOf('erase_record')[0].args).toEqual({ id: 'r-lab1' });
    await waitFor(() => expect(screen.getByTestId('erased-note')).toBeTruthy());
  });
});

describe('a patient’s keys in Settings', () => {
  const erased: ErasureItem = {
    recordId: 'ab'.repeat(32),
    account: 0,
    erasedAtMs: Date.UTC(2026, 11, 4, 9, 0),
    erasedHeight: 77,
    deletedBy: [
      { node: 'node 1', atMs: Date.UTC(2026, 11, 4, 9, 0), height: 78 },
      { node: 'node 3', atMs: Date.UTC(2026, 11, 4, 9, 0), height: 78 },
    ],
    nodes: 4,
  };

  it('lists erased records with the nodes that proved they deleted them', async () => {
    session.status = patientStatus;
    mockBackend({ settings: SETTINGS, erasures: [erased] });
    render(Settings);
    const line = await screen.findByTestId('erasure-deleted-by');
    expect(line.textContent?.replace(/\s+/g, ' ')).toContain('Deleted by 2 of 4 nodes: node 1, node 3');
  });

  it('moves to new keys after the password and a confirmation, then has the new words typed back', async () => {
    session.status = patientStatus;
    const words = Array.from({ length: 24 }, (_, i) => `word${i + 1}`);
    const backend = mockBackend({
      settings: SETTINGS,
      erasures: [],
      rotate_keys: () => ({ accounts: 2, recordsRewrapped: 5, sharesMoved: 1, linksRevoked: 0, guardiansKept: 2, emergencySetKept: true, resumed: false, words, confirmPositions: [3, 9] }),
      confirm_backup: () => undefined,
    });
    render(Settings);
    await fireEvent.input(await screen.findByTestId('rotate-password'), { target: { value: 'patient password 1' } });
    await fireEvent.click(screen.getByTestId('rotate-keys'));
    expect(screen.getByRole('dialog').textContent).toContain('can no longer sign for you');
    await fireEvent.click(screen.getByTestId('rotate-confirm'));
    const done = (await screen.findByTestId('rotation-done')).textContent;
    expect(done).toContain('2 account(s) moved');
    expect(done).toContain('Your 2 guardian(s) now hold shares of the new words');
    expect(done).toContain('Your emergency set is sealed again under the new keys');
    expect(backend.callsOf('rotate_keys')[0].args).toEqual({ password: 'patient password 1' });
    expect(screen.getAllByTestId('recovery-word')).toHaveLength(24);
    await fireEvent.click(screen.getByTestId('words-written'));
    const inputs = screen.getAllByTestId('confirm-word');
    await fireEvent.input(inputs[0], { target: { value: 'word3' } });
    await fireEvent.input(inputs[1], { target: { value: ' Word9 ' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    await screen.findByTestId('rotation-confirmed');
    expect(backend.callsOf('confirm_backup')[0].args).toEqual({ answers: ['word3', 'word9'] });
  });
});
