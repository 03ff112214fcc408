// Parsing the Settings form before it goes to the Rust side (which validates again).

/** One node URL per line; blank lines and surrounding spaces ignored, duplicates dropped. */
export function parseNodes(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
}

/** What is wrong with the form, or null. */
export function settingsProblem(nodes: string[], minutes: number): string | null {
  if (nodes.length === 0) return 'Enter at least one node URL.';
  const bad = nodes.find((n) => !/^https?:\/\/\S+$/i.test(n));
  if (bad) return `Not a node URL (it must start with http:// or https://): ${bad}`;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    return 'Auto-lock must be a whole number of minutes between 1 and 1440.';
  }
  return null;
}
