// Strings ready for translation: no component writes a word a person reads in its markup; it
// comes from the catalogue (t(), <Message>). The check parses every component with Svelte's own
// compiler and reports text nodes, text attributes (placeholder, title, aria-label, alt, label)
// and string literals an expression would show ({busy ? 'Saving…' : 'Save'}).
import { describe, expect, it } from 'vitest';
import { parse } from 'svelte/compiler';

const sources = import.meta.glob('../**/*.svelte', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

/** Attributes whose value a person reads (or hears, from a screen reader). */
const TEXT_ATTRIBUTES = new Set(['placeholder', 'title', 'aria-label', 'aria-description', 'alt', 'label']);
/** Calls whose string arguments are message ids or formats, not words. */
const MESSAGE_CALLS = new Set(['t', 'tParts']);
const WORD = /\p{L}{2,}/u;

type Node = { type: string; start: number; [key: string]: unknown };

/** String literals in the positions an expression's value comes from (not compared, not passed). */
function shownLiterals(expr: Node | null | undefined, out: Node[]) {
  if (!expr) return;
  switch (expr.type) {
    case 'Literal':
      if (typeof expr.value === 'string') out.push(expr);
      return;
    case 'TemplateLiteral':
      for (const q of expr.quasis as Node[]) out.push({ ...q, value: (q.value as { cooked: string }).cooked });
      for (const e of expr.expressions as Node[]) shownLiterals(e, out);
      return;
    case 'ConditionalExpression':
      shownLiterals(expr.consequent as Node, out);
      shownLiterals(expr.alternate as Node, out);
      return;
    case 'LogicalExpression':
      shownLiterals(expr.right as Node, out);
      return;
    case 'BinaryExpression':
      if (expr.operator === '+') {
        shownLiterals(expr.left as Node, out);
        shownLiterals(expr.right as Node, out);
      }
      return;
    case 'CallExpression': {
      const callee = expr.callee as Node;
      if (callee.type === 'Identifier' && MESSAGE_CALLS.has(callee.name as string)) return;
      return;
    }
    default:
      return;
  }
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

/** Every hard-coded word in a component's markup, as "line: text". */
export function hardcodedText(source: string): string[] {
  const found: string[] = [];
  const note = (offset: number, text: string) => {
    if (WORD.test(text)) found.push(`${lineOf(source, offset)}: ${text.trim().replace(/\s+/g, ' ')}`);
  };
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    if (n.type === 'Text') note(n.start, n.data as string);
    if (n.type === 'ExpressionTag') {
      const literals: Node[] = [];
      shownLiterals(n.expression as Node, literals);
      for (const l of literals) note(l.start, String(l.value));
    }
    if (n.type === 'Attribute' && TEXT_ATTRIBUTES.has(n.name as string)) {
      const values = Array.isArray(n.value) ? (n.value as Node[]) : [n.value as Node];
      for (const v of values) {
        if (v?.type === 'Text') note(v.start, v.data as string);
        if (v?.type === 'ExpressionTag') {
          const literals: Node[] = [];
          shownLiterals(v.expression as Node, literals);
          for (const l of literals) note(l.start, String(l.value));
        }
      }
      return;
    }
    if (n.type === 'Attribute') return;
    for (const [key, value] of Object.entries(n)) {
      if (key === 'expression' || key === 'metadata') continue;
      visit(value);
    }
  };
  visit((parse(source, { modern: true }) as unknown as { fragment: unknown }).fragment);
  return found;
}

describe('strings ready for translation', () => {
  it('finds a hard-coded word in text, in a text attribute and in a shown expression', () => {
    expect(hardcodedText('<p>Hello</p>')).toEqual(['1: Hello']);
    expect(hardcodedText('<input placeholder="e.g. glucose" />')).toEqual(['1: e.g. glucose']);
    expect(hardcodedText("<b>{busy ? 'Saving…' : t('common.save')}</b>")).toEqual(['1: Saving…']);
    expect(hardcodedText("<i class=\"x\" data-testid=\"save\">{t('common.save')} ✚ {n}</i>")).toEqual([]);
    expect(hardcodedText("{#if kind === 'patient'}{name}{/if}")).toEqual([]);
  });

  it('finds none in any component', () => {
    const report = Object.entries(sources)
      .map(([file, source]) => [file, hardcodedText(source)] as const)
      .filter(([, found]) => found.length > 0)
      .map(([file, found]) => `${file}\n  ${found.join('\n  ')}`);
    expect(report, 'move these words into src/i18n/en/*.ts and show them with t()').toEqual([]);
  });
});
