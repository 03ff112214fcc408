import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import CreateWallet from './CreateWallet.svelte';
import { fail, mockBackend } from '../test/backend';
import type { CreatedWallet } from '../ipc/types';

const WORDS = Array.from({ length: 24 }, (_, i) => `word${i + 1}`);
const CREATED: CreatedWallet = {
  address: 'mdw1new',
  shareCode: 'mdwshare1new',
  words: WORDS,
  confirmPositions: [3, 11, 20],
};

const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });

async function choosePassword(pw = 'a strong pw', again = pw) {
  await type(screen.getByTestId('password'), pw);
  await type(screen.getByTestId('password-confirm'), again);
  await fireEvent.click(screen.getByTestId('create-submit'));
}

describe('CreateWallet', () => {
  it('shows a password mismatch in place and creates nothing', async () => {
    const backend = mockBackend({ create_wallet: CREATED });
    render(CreateWallet, { ondone: vi.fn(), oncancel: vi.fn() });
    await type(screen.getByTestId('password'), 'a strong pw');
    await type(screen.getByTestId('password-confirm'), 'a strong px');
    expect(screen.getByTestId('error').textContent).toMatch(/do not match/);
    await fireEvent.click(screen.getByTestId('create-submit'));
    expect(backend.calls).toHaveLength(0);
  });

  it('refuses a password shorter than 8 characters', async () => {
    const backend = mockBackend({ create_wallet: CREATED });
    render(CreateWallet, { ondone: vi.fn(), oncancel: vi.fn() });
    await choosePassword('short', 'short');
    expect(screen.getByTestId('error').textContent).toMatch(/at least 8/);
    expect(backend.calls).toHaveLength(0);
  });

  it('shows the 24 words in order, then the confirm mismatch error, and lets the user look again', async () => {
    const backend = mockBackend({
      create_wallet: CREATED,
      confirm_backup: ({ answers }) =>
        (answers as string[]).join(' ') === 'word3 word11 word20'
          ? null
          : fail('backup_mismatch', 'The words do not match your recovery words.'),
      register_patient: 17,
    });
    const ondone = vi.fn();
    render(CreateWallet, { ondone, oncancel: vi.fn() });
    await choosePassword();

    const words = await screen.findAllByTestId('recovery-word');
    expect(words).toHaveLength(24);
    expect(words.map((w) => w.textContent)).toEqual(WORDS);
    expect(words.map((w) => w.dataset.position)).toEqual(WORDS.map((_, i) => String(i + 1)));
    expect(backend.callsOf('create_wallet')[0].args).toEqual({ password: 'a strong pw' });

    await fireEvent.click(screen.getByTestId('words-written'));
    const inputs = screen.getAllByTestId('confirm-word');
    expect(inputs.map((i) => i.dataset.position)).toEqual(['3', '11', '20']);
    expect(screen.queryByTestId('recovery-word')).toBeNull();

    await type(inputs[0], 'word3');
    await type(inputs[1], 'wrong');
    await type(inputs[2], 'word20');
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    const error = await screen.findByTestId('error');
    expect(error.textContent).toContain('The words do not match your recovery words.');
    expect(ondone).not.toHaveBeenCalled();

    // Back to the words and forward again: the answers typed so far are kept.
    await fireEvent.click(screen.getByText('Show the words again'));
    expect(screen.getAllByTestId('recovery-word')).toHaveLength(24);
    await fireEvent.click(screen.getByTestId('words-written'));
    const again = screen.getAllByTestId('confirm-word') as HTMLInputElement[];
    expect(again[0].value).toBe('word3');
    await type(again[1], ' Word11 ');
    await fireEvent.click(screen.getByTestId('confirm-submit'));

    await waitFor(() => expect(ondone).toHaveBeenCalledTimes(1));
    expect(backend.callsOf('confirm_backup').at(-1)!.args).toEqual({ answers: ['word3', 'word11', 'word20'] });
    expect(backend.callsOf('register_patient')).toHaveLength(1);
  });

  it('shows a registration error in place but lets the user continue', async () => {
    mockBackend({
      create_wallet: CREATED,
      confirm_backup: null,
      register_patient: () => fail('network', 'No node is reachable.'),
    });
    const ondone = vi.fn();
    render(CreateWallet, { ondone, oncancel: vi.fn() });
    await choosePassword();
    await fireEvent.click(await screen.findByTestId('words-written'));
    for (const [i, input] of screen.getAllByTestId('confirm-word').entries()) {
      await type(input, WORDS[CREATED.confirmPositions[i] - 1]);
    }
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    expect((await screen.findByTestId('error')).textContent).toContain('No node is reachable.');
    expect(ondone).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('register-continue'));
    expect(ondone).toHaveBeenCalledTimes(1);
  });
});
