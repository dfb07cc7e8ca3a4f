/**
 * The files of an exported folder, and what tells an earlier export apart from a folder that holds other things. No
 * TensorFlow.js or file access here: the extension host checks a chosen folder with these before asking to replace it.
 */

/** The files of an exported folder, in the order they are written. */
export const EXPORT_FILES = ['weights.bin', 'model.json', 'emotion.json', 'tf.min.js', 'voice-emotion.js', 'README.md', 'index.html'] as const;

/** Files that mark a folder as an earlier export. */
export const EXPORT_MARKERS: readonly string[] = ['emotion.json', 'model.json', 'voice-emotion.js'];

/** What a folder's entries say about replacing it with an export: empty, an earlier export, or a folder holding other things. */
export type ExportFolderKind = { readonly kind: 'empty' } | { readonly kind: 'export' } | { readonly kind: 'other'; readonly missing: readonly string[]; readonly extra: readonly string[] };

/**
 * Classifies a folder by its entries (names, as `readdir` gives them): an earlier export holds every marker and nothing
 * but export files; anything else that is not empty is 'other', with the markers it lacks and the entries that are not
 * export files (sorted), which replacing it would delete.
 */
export function exportFolderKind(entries: readonly string[]): ExportFolderKind {
  if (entries.length === 0) return { kind: 'empty' };
  const missing = EXPORT_MARKERS.filter((name) => !entries.includes(name));
  const extra = entries.filter((name) => !(EXPORT_FILES as readonly string[]).includes(name)).sort();
  return missing.length === 0 && extra.length === 0 ? { kind: 'export' } : { kind: 'other', missing, extra };
}

/** A list of names for a message: the first `max`, then how many more. */
export function nameList(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
