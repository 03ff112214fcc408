// The wrappers must send exactly the command and argument names the Rust side registers, and
// turn every rejection into an AppError.
import { describe, expect, it, vi } from 'vitest';
import { emit } from '@tauri-apps/api/event';
import * as ipc from './commands';
import { mockBackend } from '../test/backend';

type Case = [name: string, run: () => Promise<unknown>, cmd: string, args: Record<string, unknown>];

const request = { doctor: 'mdwshare1doc', scope: { kind: 'category', category: 'labs' }, until: null, label: '' } as const;

const CASES: Case[] = [
  ['walletStatus', () => ipc.walletStatus(), 'wallet_status', {}],
  ['createWallet', () => ipc.createWallet('pw-123456'), 'create_wallet', { password: 'pw-123456' }],
  ['confirmBackup', () => ipc.confirmBackup(['apple', 'zoo']), 'confirm_backup', { answers: ['apple', 'zoo'] }],
  ['restoreWallet', () => ipc.restoreWallet('a b c', 'pw-123456'), 'restore_wallet', { words: 'a b c', password: 'pw-123456' }],
  ['unlock', () => ipc.unlock('pw-123456'), 'unlock', { password: 'pw-123456' }],
  ['lock', () => ipc.lock(), 'lock', {}],
  ['registerPatient', () => ipc.registerPatient(), 'register_patient', {}],
  ['myCard', () => ipc.myCard(), 'my_card', {}],
  ['sync', () => ipc.sync(), 'sync', {}],
  ['records', () => ipc.records(), 'records', {}],
  ['openRecord', () => ipc.openRecord('rec-1'), 'open_record', { id: 'rec-1' }],
  ['labSeries', () => ipc.labSeries('rec-1'), 'lab_series', { id: 'rec-1' }],
  ['syncStatus', () => ipc.syncStatus(), 'sync_status', {}],
  ['acknowledgeEquivocation', () => ipc.acknowledgeEquivocation(), 'acknowledge_equivocation', {}],
  ['lookupDoctor', () => ipc.lookupDoctor('mdwshare1doc'), 'lookup_doctor', { doctor: 'mdwshare1doc' }],
  ['grant', () => ipc.grant(request), 'grant', { request }],
  ['grants', () => ipc.grants(), 'grants', {}],
  ['revoke', () => ipc.revoke('grant-9'), 'revoke', { grantId: 'grant-9' }],
  ['accessLog', () => ipc.accessLog(), 'access_log', {}],
  ['sharedWithMe', () => ipc.sharedWithMe(), 'shared_with_me', {}],
  ['openShared', () => ipc.openShared('g-1', 'rec-7'), 'open_shared', { grantId: 'g-1', recordId: 'rec-7' }],
  ['settings', () => ipc.settings(), 'settings', {}],
  ['saveSettings', () => ipc.saveSettings(['http://n1', 'http://n2'], 7), 'save_settings', { nodes: ['http://n1', 'http://n2'], autoLockMinutes: 7 }],
  ['touch', () => ipc.touch(), 'touch', {}],
];

describe('command wrappers', () => {
  it.each(CASES)('%s sends %s with the right arguments', async (_name, run, cmd, args) => {
    const backend = mockBackend({ [cmd]: { ok: cmd } });
    await expect(run()).resolves.toEqual({ ok: cmd });
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0].cmd).toBe(cmd);
    expect(backend.calls[0].args).toEqual(args);
  });

  it('turns a rejected invoke into the AppError the Rust side sent', async () => {
    mockBackend({
      unlock: () => {
        throw { code: 'wrong_password', message: 'wrong password' };
      },
    });
    await expect(ipc.unlock('nope-nope')).rejects.toEqual({ code: 'wrong_password', message: 'wrong password' });
  });

  it('wraps a bare string rejection as an internal AppError', async () => {
    mockBackend({
      records: () => {
        throw 'boom';
      },
    });
    await expect(ipc.records()).rejects.toEqual({ code: 'internal', message: 'boom' });
  });

  it('asAppError keeps AppErrors and stringifies anything else', () => {
    expect(ipc.asAppError({ code: 'locked', message: 'locked' })).toEqual({ code: 'locked', message: 'locked' });
    expect(ipc.asAppError(new Error('x'))).toEqual({ code: 'internal', message: 'Error: x' });
    expect(ipc.asAppError(null)).toEqual({ code: 'internal', message: 'null' });
  });
});

describe('event listeners', () => {
  it('onSyncProgress delivers the payload of sync-progress events', async () => {
    mockBackend({});
    const seen = vi.fn();
    const unlisten = await ipc.onSyncProgress(seen);
    await emit('sync-progress', { phase: 'records', done: 2, total: 5, verifiedHeight: 40 });
    expect(seen).toHaveBeenCalledWith({ phase: 'records', done: 2, total: 5, verifiedHeight: 40 });
    unlisten();
    await emit('sync-progress', { phase: 'done', done: 5, total: 5, verifiedHeight: 41 });
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('onLocked fires on wallet-locked and not on other events', async () => {
    mockBackend({});
    const locked = vi.fn();
    await ipc.onLocked(locked);
    await emit('sync-progress', { phase: 'done', done: 0, total: 0, verifiedHeight: null });
    expect(locked).not.toHaveBeenCalled();
    await emit('wallet-locked');
    expect(locked).toHaveBeenCalledTimes(1);
  });
});
