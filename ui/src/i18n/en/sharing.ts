// English messages of the sharing screens and components (see ../english.ts).
export const sharing = {
} satisfies Record<string, string>;
