// English messages of the viewer screens and components (see ../english.ts).
export const viewer = {
} satisfies Record<string, string>;
