import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import Sharing from './Sharing.svelte';
import { fail, mockBackend } from '../test/backend';
import { RECORDS } from '../test/fixtures';
import type { GrantItem } from '../ipc/types';
import { t } from '../i18n/translate';

const REVOKE_EXPLANATION = t('sharing.grantList.explanation');

const DOCTOR = { address: 'mdw1doc', name: 'Eva Lind', licence: 'SE-12345', clinicAddress: 'mdw1clinic', clinicName: 'Riverside Family Clinic', verifiedHeight: 77 };

function grantsTable(): GrantItem[] {
  return [
    { id: 'g-1', doctorAddress: 'mdw1doc', doctorName: 'Dr. Eva Lind', scope: 'labs', expiresAtMs: null, grantedHeight: 60, status: 'active' },
    { id: 'g-0', doctorAddress: 'mdw1old', doctorName: null, scope: 'all records', expiresAtMs: Date.UTC(2023, 5, 1), grantedHeight: 20, status: 'expired' },
  ];
}

function backend(extra: Record<string, unknown> = {}) {
  let grants = grantsTable();
  return mockBackend({
    records: RECORDS,
    grants: () => grants,
    access_log: [
      { recordId: 'r-lab1', recordTitle: 'Basic metabolic panel', doctorAddress: 'mdw1doc', doctorName: 'Dr. Eva Lind', grantId: 'g-1', node: 'ed25519nodekeyaaaaaaaaaaaaaaaaaaaaaaaaaa', servedAtMs: Date.UTC(2024, 0, 2, 9, 15), height: 65 },
    ],
    lookup_doctor: DOCTOR,
    revoke: ({ grantId }) => {
      grants = grants.map((g) => (g.id === grantId ? { ...g, status: 'revoked' } : g));
      return { height: 81, notice: 'Stops future access; copies already downloaded cannot be taken back.' };
    },
    ...extra,
  });
}

const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });

describe('Sharing', () => {
  it('looks up a doctor and shows who they are on the ledger', async () => {
    const b = backend();
    render(Sharing);
    await type(screen.getByTestId('grant-doctor-input'), ' mdwshare1doctor ');
    await fireEvent.click(screen.getByTestId('lookup-doctor'));
    const info = await screen.findByTestId('doctor-info');
    expect(info.textContent).toContain('Dr. Eva Lind, licence SE-12345, Riverside Family Clinic');
    expect(info.textContent).toContain('verified on ledger at height 77');
    expect(b.callsOf('lookup_doctor')[0].args).toEqual({ doctor: 'mdwshare1doctor' });
  });

  it('shows a failed look-up in place', async () => {
    backend({ lookup_doctor: () => fail('not_found', 'No doctor is registered with that address.') });
    render(Sharing);
    await type(screen.getByTestId('grant-doctor-input'), 'mdw1nobody');
    await fireEvent.click(screen.getByTestId('lookup-doctor'));
    expect((await screen.findByTestId('error')).textContent).toContain('No doctor is registered');
    expect(screen.queryByTestId('doctor-info')).toBeNull();
  });

  it('grants chosen records until the end of a day (UTC)', async () => {
    const b = backend({ grant: { grantId: 'g-new', height: 90, recordsShared: 2 } });
    render(Sharing);
    await type(screen.getByTestId('grant-doctor-input'), 'mdwshare1doctor');
    await fireEvent.click(screen.getByTestId('scope-records'));
    const boxes = await screen.findAllByTestId('grant-record');
    expect(boxes.map((b) => b.dataset.id)).toEqual(RECORDS.map((r) => r.id));
    await fireEvent.click(boxes.find((x) => x.dataset.id === 'r-lab1')!);
    await fireEvent.click(boxes.find((x) => x.dataset.id === 'r-new')!);
    await type(screen.getByTestId('grant-until'), '2030-12-31');
    await fireEvent.click(screen.getByTestId('grant-submit'));
    const result = await screen.findByTestId('grant-result');
    expect(result.textContent).toContain('g-new');
    expect(result.textContent).toContain('height 90');
    expect(b.callsOf('grant')[0].args).toEqual({
      request: { doctor: 'mdwshare1doctor', scope: { kind: 'records', ids: ['r-lab1', 'r-new'] }, until: '2030-12-31T23:59:59Z', label: '' },
    });
  });

  it('grants a category with no end date', async () => {
    const b = backend({ grant: { grantId: 'g-cat', height: 91, recordsShared: 3 } });
    render(Sharing);
    await type(screen.getByTestId('grant-doctor-input'), 'mdw1doc');
    await fireEvent.click(screen.getByTestId('scope-category'));
    await fireEvent.change(screen.getByTestId('grant-category'), { target: { value: 'immunizations' } });
    await type(screen.getByTestId('grant-label'), '  Ana Ruiz, born 1984 ');
    await fireEvent.click(screen.getByTestId('grant-submit'));
    await screen.findByTestId('grant-result');
    expect(b.callsOf('grant')[0].args).toEqual({
      request: { doctor: 'mdw1doc', scope: { kind: 'category', category: 'immunizations' }, until: null, label: 'Ana Ruiz, born 1984' },
    });
  });

  it('refuses to grant "chosen records" with none chosen', async () => {
    const b = backend({ grant: { grantId: 'x', height: 1, recordsShared: 0 } });
    render(Sharing);
    await type(screen.getByTestId('grant-doctor-input'), 'mdw1doc');
    await fireEvent.click(screen.getByTestId('scope-records'));
    await fireEvent.click(screen.getByTestId('grant-submit'));
    expect(screen.getByTestId('error').textContent).toMatch(/at least one record/);
    expect(b.callsOf('grant')).toHaveLength(0);
  });

  it('revokes after a dialog that tells the honest truth, then shows the notice', async () => {
    const b = backend();
    render(Sharing);
    const items = await screen.findAllByTestId('grant-item');
    expect(items.map((i) => [i.dataset.id, i.dataset.status])).toEqual([
      ['g-1', 'active'],
      ['g-0', 'expired'],
    ]);
    // Only an active grant can be revoked.
    expect(within(items[1]).queryByTestId('revoke-button')).toBeNull();

    await fireEvent.click(within(items[0]).getByTestId('revoke-button'));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain(REVOKE_EXPLANATION);
    expect(dialog.textContent).toContain('Copies the doctor already downloaded cannot be taken back.');
    expect(b.callsOf('revoke')).toHaveLength(0);

    await fireEvent.click(screen.getByTestId('revoke-confirm'));
    const notice = await screen.findByTestId('revoke-notice');
    expect(notice.textContent).toContain('Stops future access; copies already downloaded cannot be taken back.');
    expect(notice.textContent).toContain('height 81');
    expect(b.callsOf('revoke')[0].args).toEqual({ grantId: 'g-1' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(screen.getAllByTestId('grant-item')[0].dataset.status).toBe('revoked'));
  });

  it('cancelling the dialog revokes nothing', async () => {
    const b = backend();
    render(Sharing);
    const items = await screen.findAllByTestId('grant-item');
    await fireEvent.click(within(items[0]).getByTestId('revoke-button'));
    await fireEvent.click(within(screen.getByRole('dialog')).getByText('Cancel'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(b.callsOf('revoke')).toHaveLength(0);
  });

  it('lists who fetched which record, when, from which node, with its proof height', async () => {
    backend();
    render(Sharing);
    const [row] = await screen.findAllByTestId('access-item');
    expect(row.textContent).toContain('Dr. Eva Lind');
    expect(row.textContent).toContain('Basic metabolic panel');
    expect(row.textContent).toContain('2 Jan 2024, 09:15');
    expect(row.textContent).toContain('verified at height 65');
  });
});
