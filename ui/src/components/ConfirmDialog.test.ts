import { describe, expect, it, vi } from 'vitest';
import { createRawSnippet } from 'svelte';
import { fireEvent, render, screen } from '@testing-library/svelte';
import ConfirmDialog from './ConfirmDialog.svelte';

const body = createRawSnippet(() => ({ render: () => '<p>Erase this record?</p>' }));

describe('ConfirmDialog', () => {
  it('opens as a native modal dialog with focus on Cancel, and Escape cancels', async () => {
    const oncancel = vi.fn();
    const onconfirm = vi.fn();
    render(ConfirmDialog, { title: 'Erase', confirmLabel: 'Erase', onconfirm, oncancel, children: body });
    const dialog = screen.getByRole('dialog') as HTMLDialogElement;
    expect(dialog.tagName).toBe('DIALOG');
    expect(dialog.open).toBe(true);
    expect(document.activeElement?.textContent).toBe('Cancel');
    await fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(oncancel).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByText('Erase', { selector: 'button' }));
    expect(onconfirm).toHaveBeenCalledTimes(1);
  });

  it('is not dismissed while it works', async () => {
    const oncancel = vi.fn();
    render(ConfirmDialog, { title: 'Erase', confirmLabel: 'Erase', busy: true, onconfirm: vi.fn(), oncancel, children: body });
    const dialog = screen.getByRole('dialog');
    const cancel = new Event('cancel', { cancelable: true });
    await fireEvent(dialog, cancel);
    expect(oncancel).not.toHaveBeenCalled();
    expect(cancel.defaultPrevented).toBe(true);
  });
});
