/**
 * @module ingest/unknown-fields
 * Fields of an input article the service does not know (`"tags"`, `"titel"`), each with the
 * known field it is likely a misspelling of. Pure: validation decides what they mean (an error
 * when a required field is missing because of one, a warning otherwise).
 */

/** A field name an article does not have, and the absent known field it is closest to (or `null`). */
export type UnknownField = { name: string; suggestion: string | null };

/** Longest field name quoted in a message: a client's key can be any length. */
const MAX_NAME_CHARS = 60;

/**
 * The fields of `input` that are not in `known`, in the input's order, each with a suggestion:
 * the known field, absent from `input`, that it is a near miss of (same letters in another
 * case, or within {@link allowedEdits} edits), the nearest first.
 *
 * @example
 * unknownFields({ titel: 'T', tags: ['x'] }, ['title', 'paragraphs'])
 * // [{ name: 'titel', suggestion: 'title' }, { name: 'tags', suggestion: null }]
 */
export function unknownFields(input: object, known: readonly string[]): UnknownField[] {
  const present = Object.keys(input);
  const absent = known.filter((field) => !present.includes(field));
  return present.filter((name) => !known.includes(name)).map((name) => ({ name, suggestion: nearestField(name, absent) }));
}

/**
 * The field of `candidates` nearest to `name` (case aside) within {@link allowedEdits} edits,
 * the first of equally near ones; `null` when none is that near.
 *
 * @example
 * nearestField('Paragraph', ['title', 'paragraphs']) // 'paragraphs'
 */
export function nearestField(name: string, candidates: readonly string[]): string | null {
  const folded = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(folded, candidate.toLowerCase());
    if (distance <= allowedEdits(candidate) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edits a misspelling of `field` may be away from it: 1 for names of up to 4 letters (`url`,
 * `date`, `body`: two edits turn them into unrelated words), 2 beyond (`titel`, `paragrahps`).
 */
export function allowedEdits(field: string): number {
  return field.length <= 4 ? 1 : 2;
}

/**
 * The optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (`titel` → `title` is one edit), the typos a person makes.
 *
 * @example
 * editDistance('titel', 'title') // 1
 */
export function editDistance(a: string, b: string): number {
  // Rows of the dynamic-programming table: two rows back (swaps), the previous one, the current one.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, (before[j - 2] ?? 0) + 1);
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * An unknown field in words: `unknown field "titel" — did you mean "title"?`, the name quoted as
 * JSON (so a client's odd key prints safely) and cut at {@link MAX_NAME_CHARS} characters.
 */
export function describeUnknownField(field: UnknownField): string {
  const name = field.name.length > MAX_NAME_CHARS ? `${field.name.slice(0, MAX_NAME_CHARS)}…` : field.name;
  const hint = field.suggestion === null ? '' : ` — did you mean ${JSON.stringify(field.suggestion)}?`;
  return `unknown field ${JSON.stringify(name)}${hint}`;
}
