import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import RecordListItem from './RecordListItem.svelte';
import SyncReportView from './SyncReportView.svelte';
import { record } from '../test/fixtures';

describe('a record this wallet cannot open', () => {
  it('is listed with its clinic and a note, and cannot be opened', async () => {
    const onopen = vi.fn();
    render(RecordListItem, {
      record: record({ id: 'r-bad', title: 'Record this wallet cannot open', unreadable: true }),
      onopen,
    });
    const item = screen.getByTestId('record-item') as HTMLButtonElement;
    expect(item.disabled).toBe(true);
    expect(item.textContent).toContain('Riverside Family Clinic');
    expect(screen.getByTestId('unreadable-note').textContent).toContain('cannot be opened');
    await fireEvent.click(item);
    expect(onopen).not.toHaveBeenCalled();
  });

  it('an erased record says it was erased, not that its key is missing, and cannot be opened', () => {
    render(RecordListItem, {
      record: record({ id: 'r-gone', title: 'Erased record', unreadable: true, erased: true }),
      onopen: vi.fn(),
    });
    expect((screen.getByTestId('record-item') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('erased-note').textContent).toContain('Only the fact that it existed');
    expect(screen.queryByTestId('unreadable-note')).toBeNull();
  });

  it('a readable record shows no such note', () => {
    render(RecordListItem, { record: record({ id: 'r-ok' }), onopen: vi.fn() });
    expect(screen.queryByTestId('unreadable-note')).toBeNull();
    expect((screen.getByTestId('record-item') as HTMLButtonElement).disabled).toBe(false);
  });

  it('the sync report names the clinics it came from', () => {
    render(SyncReportView, {
      report: {
        newRecords: 2,
        totalRecords: 2,
        verifiedHeight: 9,
        keysShared: 0,
        unreadableFrom: ['St Mary ED', 'St Mary ED'],
        incidents: [],
      },
    });
    const note = screen.getByTestId('unreadable-report').textContent ?? '';
    expect(note).toContain('2 records from St Mary ED');
    expect(note).toContain('issue them again');
  });
});
