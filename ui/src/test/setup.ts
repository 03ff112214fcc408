// Every test starts from a blank IPC mock and a blank session (the session and sync state are
// module-level, shared by all components).
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { setLocale } from '../lib/format';
import { resetSession } from '../lib/session.svelte';
import { resetSyncState } from '../lib/sync.svelte';

// The tests read dates and numbers as a British English reader sees them, on every machine.
setLocale('en-GB');

afterEach(() => {
  // Unmount first: a component that stops listening to the Rust side does so while the mock
  // still answers.
  cleanup();
  clearMocks();
  resetSession();
  resetSyncState();
});
