import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import RestoreWallet from './RestoreWallet.svelte';
import { fail, mockBackend } from '../test/backend';
import { patientStatus } from '../test/fixtures';

const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });
const PHRASE = Array.from({ length: 24 }, (_, i) => `w${i}`).join(' ');

describe('RestoreWallet', () => {
  it('sends normalized words and the password, then hands over the status', async () => {
    const backend = mockBackend({ restore_wallet: patientStatus });
    const ondone = vi.fn();
    render(RestoreWallet, { ondone, oncancel: vi.fn() });
    await type(screen.getByTestId('restore-words'), `  ${PHRASE.toUpperCase().replace(/ /g, '\n')}  `);
    await type(screen.getByTestId('password'), 'new password');
    await type(screen.getByTestId('password-confirm'), 'new password');
    await fireEvent.click(screen.getByTestId('restore-submit'));
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(patientStatus));
    expect(backend.callsOf('restore_wallet')[0].args).toEqual({ words: PHRASE, password: 'new password' });
  });

  it('shows invalid words in place and clears the passwords', async () => {
    mockBackend({ restore_wallet: () => fail('invalid_input', 'Word 7 is not a recovery word.') });
    render(RestoreWallet, { ondone: vi.fn(), oncancel: vi.fn() });
    await type(screen.getByTestId('restore-words'), PHRASE);
    await type(screen.getByTestId('password'), 'new password');
    await type(screen.getByTestId('password-confirm'), 'new password');
    await fireEvent.click(screen.getByTestId('restore-submit'));
    expect((await screen.findByTestId('error')).textContent).toContain('Word 7 is not a recovery word.');
    expect((screen.getByTestId('password') as HTMLInputElement).value).toBe('');
  });
});
