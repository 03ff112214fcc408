// Honest explanations that must read the same wherever they appear (and in the tests).

export const REVOKE_EXPLANATION =
  "Revoking stops future access: nodes refuse the doctor's requests and no new records are shared. Copies the doctor already downloaded cannot be taken back.";

export const REVOKED_FOR_DOCTOR =
  'Access was revoked by the patient; copies downloaded earlier remain with whoever downloaded them';

export const EXPIRED_FOR_DOCTOR =
  'Access has expired; copies downloaded earlier remain with whoever downloaded them';
