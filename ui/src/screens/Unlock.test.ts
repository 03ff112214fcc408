import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Unlock from './Unlock.svelte';
import { fail, mockBackend } from '../test/backend';
import { patientStatus } from '../test/fixtures';

async function typePassword(value: string) {
  const input = screen.getByTestId('unlock-password') as HTMLInputElement;
  await fireEvent.input(input, { target: { value } });
  return input;
}

describe('Unlock', () => {
  it('shows the wrong_password message in place and clears the field', async () => {
    const backend = mockBackend({ unlock: () => fail('wrong_password', 'That password is not right.') });
    const onunlocked = vi.fn();
    render(Unlock, { onunlocked });
    const input = await typePassword('hunter22');
    await fireEvent.click(screen.getByTestId('unlock-submit'));

    const error = await screen.findByTestId('error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('That password is not right.');
    expect(error.dataset.code).toBe('wrong_password');
    expect(backend.callsOf('unlock')[0].args).toEqual({ password: 'hunter22' });
    expect(input.value).toBe('');
    expect(onunlocked).not.toHaveBeenCalled();
  });

  it('hands the new status over on success', async () => {
    mockBackend({ unlock: patientStatus });
    const onunlocked = vi.fn();
    render(Unlock, { onunlocked });
    await typePassword('correct horse');
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(onunlocked).toHaveBeenCalledWith(patientStatus));
    expect(screen.queryByTestId('error')).toBeNull();
  });

  it('does not call the Rust side with an empty password', async () => {
    const backend = mockBackend({ unlock: patientStatus });
    render(Unlock, { onunlocked: vi.fn() });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect(screen.getByTestId('error').textContent).toMatch(/Enter your password/);
    expect(backend.calls).toHaveLength(0);
  });
});
