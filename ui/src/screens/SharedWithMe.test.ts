import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import SharedWithMe from './SharedWithMe.svelte';
import { emitFromRust, fail, mockBackend } from '../test/backend';
import { SHARED, condition, record } from '../test/fixtures';
import { t } from '../i18n/translate';

const REVOKED_FOR_DOCTOR = t('sharing.sharedWithMe.revoked');

describe('SharedWithMe (doctor mode)', () => {
  it('groups by patient and shows revoked and expired records disabled, with the honest text', async () => {
    mockBackend({ shared_with_me: SHARED });
    render(SharedWithMe);
    const items = await screen.findAllByTestId('shared-item');
    expect(items.map((i) => [i.dataset.id, i.dataset.status])).toEqual([
      ['rec-a1', 'active'],
      ['rec-a2', 'revoked'],
      ['rec-b1', 'expired'],
    ]);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'Patient h-AAAAA1',
      'Patient h-BBBBB2',
    ]);
    const [active, revoked, expired] = items as HTMLButtonElement[];
    expect(active.disabled).toBe(false);
    expect(revoked.disabled).toBe(true);
    expect(expired.disabled).toBe(true);
    expect(revoked.textContent).toContain(REVOKED_FOR_DOCTOR);
    expect(revoked.textContent).toContain('copies downloaded earlier remain with whoever downloaded them');
    expect(expired.textContent).toMatch(/expired/i);
    expect(active.textContent).not.toContain(REVOKED_FOR_DOCTOR);
  });

  it('opens an active record in the record view', async () => {
    const b = mockBackend({
      shared_with_me: SHARED,
      open_shared: { record: record({ id: 'rec-a1', title: 'Lipid panel' }), fhir: JSON.stringify(condition) },
    });
    render(SharedWithMe);
    const [active] = await screen.findAllByTestId('shared-item');
    await fireEvent.click(active);
    const view = await screen.findByTestId('record-view');
    expect(within(view).getAllByTestId('fhir-resource')).toHaveLength(1);
    expect(b.callsOf('open_shared')[0].args).toEqual({ grantId: 'g1', recordId: 'rec-a1' });
    expect(b.callsOf('lab_series')).toHaveLength(0);
    // No label shared: no "Shared by".
    expect(within(view).queryByTestId('record-shared-by')).toBeNull();
  });

  it('names the issuing clinic and the patient as they asked to be known', async () => {
    mockBackend({
      shared_with_me: SHARED.map((s) => (s.recordId === 'rec-a1' ? { ...s, patientLabel: ' Ana Ruiz ' } : s)),
      open_shared: {
        record: record({ id: 'rec-a1', title: 'Lipid panel', clinicName: 'Riverside Family Clinic' }),
        fhir: JSON.stringify(condition),
      },
    });
    render(SharedWithMe);
    const [active] = await screen.findAllByTestId('shared-item');
    await fireEvent.click(active);
    const view = await screen.findByTestId('record-view');
    expect(within(view).getByTestId('record-issuer').textContent).toBe('Issued by Riverside Family Clinic');
    expect(within(view).getByTestId('record-shared-by').textContent).toBe('Shared by Ana Ruiz');
  });

  it('shows a refusal in place and reloads the list', async () => {
    const b = mockBackend({
      shared_with_me: SHARED,
      open_shared: () => fail('refused', 'The patient revoked this grant.'),
    });
    render(SharedWithMe);
    const [active] = await screen.findAllByTestId('shared-item');
    await fireEvent.click(active);
    expect((await screen.findByTestId('error')).textContent).toContain('The patient revoked this grant.');
    expect(screen.queryByTestId('record-view')).toBeNull();
    expect(b.callsOf('shared_with_me').length).toBeGreaterThanOrEqual(2);
  });

  it('does not try to open a revoked record', async () => {
    const b = mockBackend({ shared_with_me: SHARED, open_shared: null });
    render(SharedWithMe);
    const items = await screen.findAllByTestId('shared-item');
    await fireEvent.click(items[1]);
    expect(b.callsOf('open_shared')).toHaveLength(0);
  });

  it('saves a shared file record to Downloads with progress instead of opening it', async () => {
    const study = {
      ...SHARED[0],
      recordId: 'rec-ct',
      title: 'CT chest',
      category: 'reports' as const,
      file: { contentType: 'application/dicom', name: 'chest-ct.dcm', sizeBytes: 2_000_000 },
    };
    let finish: (v: unknown) => void = () => {};
    const b = mockBackend({
      shared_with_me: [study],
      save_shared_file: () => new Promise((resolve) => (finish = resolve)),
    });
    render(SharedWithMe);
    const [item] = await screen.findAllByTestId('shared-item');
    expect(screen.getByTestId('file-note').textContent).toContain('chest-ct.dcm (2 MB)');
    await fireEvent.click(item);
    await waitFor(() => expect(b.callsOf('save_shared_file')).toHaveLength(1));
    expect(b.callsOf('save_shared_file')[0].args).toEqual({ grantId: 'g1', recordId: 'rec-ct', name: 'chest-ct.dcm' });
    await emitFromRust('save-progress', { id: 'rec-ct', stage: 'downloading', done: 1_000_000, of: 2_100_000 });
    const bar = await screen.findByTestId('save-progress');
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('1000000'));
    finish({ path: '/home/grey/Downloads/chest-ct.dcm', sizeBytes: 2_000_000 });
    expect((await screen.findByTestId('saved-notice')).textContent).toContain('/home/grey/Downloads/chest-ct.dcm');
    expect(b.callsOf('open_shared')).toHaveLength(0);
  });
});
