// English messages of the recovery screens and components (see ../english.ts).
export const recovery = {
} satisfies Record<string, string>;
