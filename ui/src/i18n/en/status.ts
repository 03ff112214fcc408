// English messages of the status screens and components (see ../english.ts).
export const status = {
} satisfies Record<string, string>;
