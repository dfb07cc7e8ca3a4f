import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInsideFolder, pathKey } from '../core/fsutil';
import { MIME, type ExplorerJson, type RendererRequest } from '../shared/mime';
import { filePath, MAX_PATH_LENGTH, number, object, oneOf } from '../shared/validate';

/**
 * Which files a webview or a notebook renderer may have the host open or read. Their requests name files by path; a
 * path is trusted only after it is made absolute, normalised and has its symbolic links resolved, so `..` segments
 * and links cannot lead outside what the user was shown. No `vscode` import: the decisions are plain functions.
 */

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The real path of the deepest existing ancestor of `resolved`, with the missing rest of the path appended unchanged;
 * undefined when a link on the way points nowhere (it could later point anywhere) or the path cannot be resolved.
 */
function realPathOf(resolved: string): string | undefined {
  const missing: string[] = [];
  let current = resolved;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) return undefined;
      if (isLink(current)) return undefined;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * The canonical form of an absolute path: normalised, with every symbolic link resolved (for a file that does not
 * exist, those of its existing folders). Undefined for anything that is not an absolute path of a sane length.
 */
export function canonicalPath(file: unknown): string | undefined {
  if (typeof file !== 'string' || file.length === 0 || file.length > MAX_PATH_LENGTH || file.includes('\0') || !path.isAbsolute(file)) return undefined;
  return realPathOf(path.resolve(file));
}

/**
 * The canonical path of `file` when it is one of `allowed` (compared after both are made canonical, so another
 * spelling of an allowed file is accepted and a link to anything else is not); undefined otherwise.
 */
export function allowedFile(file: unknown, allowed: Iterable<string>): string | undefined {
  const canonical = canonicalPath(file);
  if (canonical === undefined) return undefined;
  const key = pathKey(canonical);
  for (const candidate of allowed) {
    const other = canonicalPath(candidate);
    if (other !== undefined && pathKey(other) === key) return canonical;
  }
  return undefined;
}

/** A notebook output item as the renderer's clip check sees it: MIME type and bytes. */
export interface OutputBytes {
  readonly mime: string;
  readonly data: Uint8Array;
}

/** The clip files the feature explorer outputs among `items` list (their points' `file`), exactly as written. */
export function clipFilesOfOutputs(items: Iterable<OutputBytes>): Set<string> {
  const files = new Set<string>();
  const decoder = new TextDecoder();
  for (const item of items) {
    if (item.mime !== MIME.explorer) continue;
    let json: Partial<ExplorerJson>;
    try {
      json = JSON.parse(decoder.decode(item.data)) as Partial<ExplorerJson>;
    } catch {
      continue;
    }
    if (!Array.isArray(json?.points)) continue;
    for (const point of json.points as unknown[]) {
      const file = (point as { file?: unknown } | null)?.file;
      if (typeof file === 'string' && file.length <= MAX_PATH_LENGTH) files.add(file);
    }
  }
  return files;
}

const clipRequest = object({
  type: oneOf(['clip']),
  requestId: number({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
  file: filePath(),
});

/** The renderer's clip request when `message` is exactly one; undefined for anything else. */
export function clipRequestOf(message: unknown): RendererRequest | undefined {
  return clipRequest.check(message, 'message') === undefined ? (message as RendererRequest) : undefined;
}

/** What the host does with a renderer's clip request: read the canonical file, or refuse with a reason. */
export type ClipDecision = { readonly allowed: true; readonly file: string } | { readonly allowed: false; readonly reason: string };

/**
 * Decides a notebook renderer's request for the clip `file`: a WAV file inside one of `workspaceFolders`, or one that
 * the notebook's own outputs list (`listedFiles`, e.g. the feature explorer's points), judged by its real path.
 */
export function decideClipRequest(file: unknown, options: { readonly workspaceFolders: readonly string[]; readonly listedFiles: ReadonlySet<string> }): ClipDecision {
  const canonical = canonicalPath(file);
  if (canonical === undefined) return { allowed: false, reason: 'the clip is not an absolute file path' };
  // The name asked for counts too (a dataset may link x.wav to a content-addressed blob without an extension).
  const isWav = (name: string) => path.extname(name).toLowerCase() === '.wav';
  if (!isWav(canonical) && !(typeof file === 'string' && isWav(file))) return { allowed: false, reason: 'only WAV clips can be played' };
  if (typeof file === 'string' && options.listedFiles.has(file)) return { allowed: true, file: canonical };
  for (const folder of options.workspaceFolders) {
    const root = canonicalPath(folder);
    if (root !== undefined && isInsideFolder(canonical, root)) return { allowed: true, file: canonical };
  }
  return { allowed: false, reason: 'the clip is neither in the workspace nor listed by this notebook' };
}
