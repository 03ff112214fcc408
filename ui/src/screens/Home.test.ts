import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import Home from './Home.svelte';
import { emitFromRust, fail, mockBackend } from '../test/backend';
import { RECORDS, potassiumSeries, quietSync, record, visitBundle } from '../test/fixtures';
import type { SyncReport } from '../ipc/types';

const ids = (els: HTMLElement[]) => els.map((e) => e.dataset.id);

describe('Home', () => {
  it('groups records by visit day, newest first', async () => {
    mockBackend({ records: RECORDS });
    const { container } = render(Home);
    await screen.findAllByTestId('record-item');
    const days = [...container.querySelectorAll<HTMLElement>('section.day')];
    expect(days.map((d) => d.querySelector('h2')!.textContent)).toEqual(['21 Jul 2020', '5 Mar 2019', '10 Jan 2018']);
    expect(ids(within(days[1]).getAllByTestId('record-item')).sort()).toEqual(['r-imm', 'r-lab1']);
    expect(ids(screen.getAllByTestId('record-item'))[0]).toBe('r-new');
  });

  it('filters by category and by clinic', async () => {
    mockBackend({ records: RECORDS });
    render(Home);
    await screen.findAllByTestId('record-item');
    await fireEvent.change(screen.getByTestId('category-filter'), { target: { value: 'labs' } });
    const labs = screen.getAllByTestId('record-item');
    expect(ids(labs)).toEqual(['r-new', 'r-lab1']);
    expect(labs.every((el) => el.dataset.category === 'labs')).toBe(true);

    await fireEvent.change(screen.getByTestId('clinic-filter'), {
      target: { value: 'mdw1clinicaaaaaaaaaaaaaaaaaaaaaaaaaaaa1' },
    });
    expect(ids(screen.getAllByTestId('record-item'))).toEqual(['r-lab1']);

    await fireEvent.change(screen.getByTestId('category-filter'), { target: { value: 'medications' } });
    expect(screen.queryByTestId('record-item')).toBeNull();
    expect(screen.getByTestId('no-match')).toBeTruthy();
  });

  it('marks an unverified record with a warning and verified ones with their height', async () => {
    mockBackend({ records: RECORDS });
    render(Home);
    const items = await screen.findAllByTestId('record-item');
    const unverified = items.find((i) => i.dataset.id === 'r-new')!;
    expect(within(unverified).getByTestId('unverified-warning').textContent).toMatch(/Not verified/);
    expect(within(unverified).queryByTestId('verified-badge')).toBeNull();
    const verified = items.find((i) => i.dataset.id === 'r-lab1')!;
    expect(within(verified).getByTestId('verified-badge').textContent).toContain('Verified on ledger at height 42');
    expect(within(verified).queryByTestId('unverified-warning')).toBeNull();
    // The clinic's name, or its short address when the name is not known.
    expect(unverified.textContent).toContain('mdw1clinic…bbbbb2');
    expect(verified.textContent).toContain('Riverside Family Clinic');
  });

  it('renders a large timeline a page at a time, newest first, and shows more on demand', async () => {
    const many = Array.from({ length: 250 }, (_, i) =>
      record({
        id: `r-${String(i).padStart(3, '0')}`,
        date: `2020-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
        category: i % 2 ? 'labs' : 'encounter',
        issuedHeight: i,
      }),
    );
    mockBackend({ records: many });
    render(Home);
    await screen.findAllByTestId('record-item');
    expect(screen.getAllByTestId('record-item')).toHaveLength(100);
    expect(screen.getAllByTestId('record-item')[0].dataset.id).toBe(
      // The newest day (the 28th) and, within it, the latest issued.
      many.filter((r) => r.date!.startsWith('2020-01-28')).at(-1)!.id,
    );
    expect(screen.getByTestId('show-more').textContent).toContain('150 more');

    await fireEvent.click(screen.getByTestId('show-more'));
    expect(screen.getAllByTestId('record-item')).toHaveLength(200);
    await fireEvent.click(screen.getByTestId('show-more'));
    expect(screen.getAllByTestId('record-item')).toHaveLength(250);
    expect(screen.queryByTestId('show-more')).toBeNull();

    // A new filter starts again from the first page.
    await fireEvent.change(screen.getByTestId('category-filter'), { target: { value: 'labs' } });
    expect(screen.getAllByTestId('record-item')).toHaveLength(100);
    expect(screen.getByTestId('show-more').textContent).toContain('25 more');
  });

  it('explains what to do when there are no records', async () => {
    mockBackend({ records: [] });
    render(Home);
    const empty = await screen.findByTestId('empty-records');
    expect(empty.textContent).toMatch(/share code/i);
    expect(empty.textContent).toMatch(/Sync/);
  });

  it('syncs with a progress bar, then shows the report and the new records', async () => {
    let release!: (r: SyncReport) => void;
    let list = [RECORDS[0]];
    const backend = mockBackend({
      records: () => list,
      sync: () => new Promise<SyncReport>((resolve) => (release = resolve)),
      sync_status: quietSync,
      wallet_status: { walletExists: true, unlocked: true, address: 'a', shareCode: 's', role: 'patient', autoLockMinutes: 5 },
    });
    render(Home);
    await screen.findAllByTestId('record-item');
    expect(screen.queryByTestId('sync-progress')).toBeNull();

    await fireEvent.click(screen.getByTestId('sync-button'));
    expect(screen.getByTestId('sync-progress')).toBeTruthy();
    // Progress events from the Rust side move the bar (the shell subscribes in the app; here directly).
    const { followSyncProgress } = await import('../lib/sync.svelte');
    const unlisten = await followSyncProgress();
    await emitFromRust('sync-progress', { phase: 'records', done: 2, total: 4, verifiedHeight: 50 });
    await waitFor(() => expect(screen.getByTestId('sync-progress').getAttribute('aria-valuenow')).toBe('2'));
    expect(screen.getByText('Fetching records 2 of 4')).toBeTruthy();

    list = RECORDS;
    release({ newRecords: 3, totalRecords: 4, verifiedHeight: 50, keysShared: 0, unreadableFrom: [], incidents: [] });
    const report = await screen.findByTestId('sync-report');
    expect(report.textContent).toContain('3 new records');
    expect(screen.queryByTestId('sync-progress')).toBeNull();
    await waitFor(() => expect(screen.getAllByTestId('record-item')).toHaveLength(4));
    expect(backend.callsOf('sync')).toHaveLength(1);
    unlisten();
  });

  it('shows a failed sync in place', async () => {
    mockBackend({
      records: RECORDS,
      sync: () => fail('network', 'No node could serve a verified answer.'),
      sync_status: quietSync,
      wallet_status: { walletExists: true, unlocked: true, address: 'a', shareCode: 's', role: 'patient', autoLockMinutes: 5 },
    });
    render(Home);
    await screen.findAllByTestId('record-item');
    await fireEvent.click(screen.getByTestId('sync-button'));
    expect((await screen.findByTestId('error')).textContent).toContain('No node could serve a verified answer.');
  });

  it('opens a record into the record view and comes back', async () => {
    const backend = mockBackend({
      records: RECORDS,
      open_record: ({ id }) => ({ record: RECORDS.find((r) => r.id === id), fhir: JSON.stringify(visitBundle) }),
      lab_series: [potassiumSeries],
    });
    render(Home);
    const items = await screen.findAllByTestId('record-item');
    await fireEvent.click(items.find((i) => i.dataset.id === 'r-lab1')!);
    const view = await screen.findByTestId('record-view');
    expect(view.dataset.id).toBe('r-lab1');
    expect(backend.callsOf('open_record')[0].args).toEqual({ id: 'r-lab1' });
    await waitFor(() => expect(screen.getAllByTestId('lab-chart')).toHaveLength(1));
    expect(backend.callsOf('lab_series')[0].args).toEqual({ id: 'r-lab1' });
    await fireEvent.click(screen.getByTestId('back-button'));
    expect(screen.queryByTestId('record-view')).toBeNull();
    expect(screen.getAllByTestId('record-item')).toHaveLength(4);
  });

  it('shows an error opening a record next to it', async () => {
    mockBackend({ records: RECORDS, open_record: () => fail('network', 'The record could not be fetched.') });
    render(Home);
    const items = await screen.findAllByTestId('record-item');
    await fireEvent.click(items[0]);
    expect((await screen.findByTestId('error')).textContent).toContain('The record could not be fetched.');
    expect(screen.queryByTestId('record-view')).toBeNull();
  });

  it('searches the records\' content and lists what matched, then returns to the timeline', async () => {
    const backend = mockBackend({
      records: RECORDS,
      search_records: ({ query }) => ({
        hits: [{ record: RECORDS.find((r) => r.id === 'r-lab1'), matches: [{ kind: 'test', text: `Potassium (${query})` }] }],
        titlesOnly: 1,
      }),
    });
    render(Home);
    await screen.findAllByTestId('record-item');
    await fireEvent.input(screen.getByTestId('record-search'), { target: { value: 'potas' } });
    const results = await screen.findByTestId('search-results', {}, { timeout: 2000 });
    expect(backend.callsOf('search_records').at(-1)?.args).toEqual({ query: 'potas' });
    expect(ids(within(results).getAllByTestId('record-item'))).toEqual(['r-lab1']);
    expect(results.textContent).toContain('Test: Potassium (potas)');
    expect(screen.getByTestId('search-count').textContent).toContain('1 record matches');
    expect(screen.getByTestId('search-count').textContent).toContain('1 not kept on this device was searched by title only');
    await fireEvent.input(screen.getByTestId('record-search'), { target: { value: '' } });
    expect(screen.queryByTestId('search-results')).toBeNull();
    expect(screen.getAllByTestId('record-item')).toHaveLength(4);
  });

  it('reloads and says so when records arrive by themselves', async () => {
    const backend = mockBackend({ records: RECORDS });
    render(Home);
    await screen.findAllByTestId('record-item');
    const loads = backend.callsOf('records').length;
    await emitFromRust('records-arrived', { count: 2, from: ['Riverside Family Clinic'] });
    expect((await screen.findByTestId('records-arrived')).textContent).toContain('2 new records from Riverside Family Clinic');
    await waitFor(() => expect(backend.callsOf('records').length).toBe(loads + 1));
  });

  it('saves a file record to Downloads with progress, never opening it as FHIR', async () => {
    const study = record({
      id: 'r-ct',
      title: 'CT chest',
      category: 'reports',
      sizeBytes: 1_100_000_000,
      file: { contentType: 'application/dicom', name: 'chest-ct.dcm', sizeBytes: 1_073_741_824 },
    });
    let finish: (v: unknown) => void = () => {};
    const backend = mockBackend({
      records: [study],
      save_record_file: () => new Promise((resolve) => (finish = resolve)),
    });
    render(Home);
    const item = await screen.findByTestId('record-item');
    expect(screen.getByTestId('file-note').textContent).toContain('chest-ct.dcm (1.1 GB)');
    await fireEvent.click(item);
    await waitFor(() => expect(backend.callsOf('save_record_file')).toHaveLength(1));
    expect(backend.callsOf('save_record_file')[0].args).toEqual({ id: 'r-ct' });
    await emitFromRust('save-progress', { id: 'r-ct', stage: 'opening', done: 550_000_000, of: 1_100_000_000 });
    const bar = await screen.findByTestId('save-progress');
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('550000000'));
    expect(screen.getByText(/Decrypting chest-ct.dcm: 550 MB of 1.1 GB/)).toBeTruthy();
    finish({ path: '/home/ana/Downloads/chest-ct.dcm', sizeBytes: 1_073_741_824 });
    const saved = await screen.findByTestId('saved-notice');
    expect(saved.textContent).toContain('/home/ana/Downloads/chest-ct.dcm');
    expect(screen.queryByTestId('save-progress')).toBeNull();
    expect(backend.callsOf('open_record')).toHaveLength(0);
  });
});
