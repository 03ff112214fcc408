// The wallet session as the whole UI sees it: which wallet status the Rust side last reported,
// and the one place that turns 'locked' / 'no_wallet' errors into a change of screen.
import { asAppError, walletStatus } from '../ipc/commands';
import type { AppError, WalletStatus } from '../ipc/types';

export const session = $state<{ status: WalletStatus | null; loadError: AppError | null }>({
  status: null,
  loadError: null,
});

export async function refreshStatus(): Promise<void> {
  try {
    session.status = await walletStatus();
    session.loadError = null;
  } catch (e) {
    session.loadError = asAppError(e);
  }
}

export function setStatus(status: WalletStatus): void {
  session.status = status;
  session.loadError = null;
}

/** The wallet locked (button, idle timer, or a command said so): forget what it showed. */
export function markLocked(): void {
  if (session.status) {
    session.status = { ...session.status, unlocked: false, address: null, shareCode: null };
  }
}

/**
 * Every screen passes its caught errors through here before showing them: 'locked' sends the
 * user to the unlock screen, 'no_wallet' back to the welcome screen.
 */
export function noteError(e: unknown): AppError {
  const err = asAppError(e);
  if (err.code === 'locked') markLocked();
  else if (err.code === 'no_wallet') void refreshStatus();
  return err;
}

/** For tests: back to "nothing known yet". */
export function resetSession(): void {
  session.status = null;
  session.loadError = null;
}
