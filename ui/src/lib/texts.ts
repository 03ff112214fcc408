// Honest explanations that must read the same wherever they appear (and in the tests).

export const ERASE_EXPLANATION =
  'Erasing removes this record\'s keys from the ledger and every node deletes its encrypted copy, so nobody can open it again. The ledger keeps that a record existed (its clinic, when, and a hash of its encrypted bytes), and copies already downloaded or shared cannot be recalled.';

export const ROTATE_EXPLANATION =
  'Moving to new keys gives your wallet a new recovery phrase. Every account keeps its address and records; your shares are made again under the new keys (doctors keep access), your links are revoked, and the old phrase and any device holding it can no longer sign for you.';

export const REVOKE_EXPLANATION =
  "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

export const REVOKED_FOR_DOCTOR =
  'Access was revoked by the patient; copies downloaded earlier remain with whoever downloaded them';

export const EXPIRED_FOR_DOCTOR =
  'Access has expired; copies downloaded earlier remain with whoever downloaded them';
