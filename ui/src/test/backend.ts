// A fake Rust side for component tests: answers commands from a table and records every call.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { AppError, ErrorCode } from '../ipc/types';

// Arguments arrive untyped from the wire; `any` lets each test destructure what it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (args: Record<string, any>) => unknown;
type Answer = Handler | object | string | number | boolean | null;

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/** A value, or a function of the command's arguments; throw `fail(...)` to reject. */
export function mockBackend(handlers: Record<string, Answer>) {
  const calls: Call[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      if (!(cmd in handlers)) {
        const err: AppError = { code: 'internal', message: `unmocked command ${cmd}` };
        throw err;
      }
      const h = handlers[cmd];
      return typeof h === 'function' ? (h as Handler)(args) : structuredClone(h);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    callsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd),
  };
}

export function fail(code: ErrorCode, message: string): never {
  const err: AppError = { code, message };
  throw err;
}

/** Emits an event from the fake Rust side (listeners registered through mockIPC's event mock). */
export const emitFromRust = (event: string, payload?: unknown) => emit(event, payload);
