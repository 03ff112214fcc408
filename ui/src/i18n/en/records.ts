// English messages of the records screens: home, a record, the summary, charts, search,
// erasure (see ../english.ts).
export const records = {
  // Also the desktop notification (lib/notify): "2 new records from Riverside Clinic and Harbour Clinic".
  arrived: '{count, plural, one {# new record} other {# new records}}',
  arrivedFrom: '{count, plural, one {# new record} other {# new records}} from {from}',
} satisfies Record<string, string>;
