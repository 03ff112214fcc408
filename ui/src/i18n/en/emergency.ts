// English messages of the emergency screens and components (see ../english.ts).
export const emergency = {
} satisfies Record<string, string>;
