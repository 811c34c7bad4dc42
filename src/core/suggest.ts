/**
 * "Did you mean …?": the known name closest to a misspelt one. One implementation for every place
 * that suggests (schema keys, Ansible variables, the command line's commands and flags), so they
 * agree on what counts as a typo.
 */

/** The known name closest to `word`, when it is close enough to be a typo (case is ignored). */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * For the command line, where words are short: at most 1 edit for words of up to 4 characters
 * (`plna` → `plan`), 2 up to 8, else 3; a known word that starts with `word` (3 or more characters:
 * an abbreviation) counts as closer than any edit. Ties: the first in `known`.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = k.startsWith(w) && w.length >= 3 ? 0.5 : editDistance(w, k.toLowerCase());
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * Edit distance: insert, delete, substitute, and swap two neighbours (`plna` → `plan`), 1 each
 * (optimal string alignment). A swap is the commonest typo; as plain Levenshtein it would count 2.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
