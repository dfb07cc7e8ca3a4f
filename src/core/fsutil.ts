import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileError } from './errors';

/** One file of an atomic write: where it goes and what it holds. */
export interface FileContent {
  readonly file: string;
  readonly data: string | Uint8Array;
}

const TEMP_SUFFIX = '.tmp';
/** Names {@link temporaryName} gives: `.<target name>.<pid>.<unique part>.tmp` (the pid captured). */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-z]+\.tmp$/;
let tempCounter = 0;

/** A temporary file name next to `file`, unique per process, thread and call. */
function temporaryName(file: string): string {
  const unique = `${randomBytes(6).toString('hex')}${(tempCounter++).toString(16)}`;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${unique}${TEMP_SUFFIX}`);
}

/** A key to compare resolved paths by (Windows file names are case-insensitive). */
export function pathKey(resolved: string): string {
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}

/**
 * Whether resolved path `file` lies inside resolved folder `folder` (with `orSame`, or is that folder). Compares whole
 * segments: a name like `..x.wav` is inside, `../x.wav` and a sibling `folder2` are not.
 */
export function isInsideFolder(file: string, folder: string, options: { orSame?: boolean } = {}): boolean {
  const relative = path.relative(pathKey(folder), pathKey(file));
  if (relative === '') return options.orSame === true;
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** True for a temporary file name that an atomic write in progress (or a killed one) uses. */
export function isTemporaryFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Whether process `pid` runs on this machine (EPERM: it does, under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that named a temporary file (its pid is in the name) is gone from this machine. */
function writerIsGone(name: string): boolean {
  const pid = Number(TEMP_NAME.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return pid !== process.pid && !processIsAlive(pid);
}

/**
 * Deletes the temporary files an interrupted atomic write left directly in `dir`; returns their paths. With
 * `abandonedOnly` (a folder other processes may be writing, like a shared feature cache), only files whose writer
 * process is gone, or that are older than an hour, are deleted.
 */
export function removeTemporaryFiles(dir: string, options: { abandonedOnly?: boolean } = {}): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const hourAgo = Date.now() - 3_600_000;
  const abandoned = (name: string) => {
    if (writerIsGone(name)) return true;
    try {
      return fs.statSync(path.join(dir, name)).mtimeMs < hourAgo;
    } catch {
      return false;
    }
  };
  const removed = names.filter((name) => isTemporaryFileName(name) && (!options.abandonedOnly || abandoned(name))).map((name) => path.join(dir, name));
  for (const file of removed) fs.rmSync(file, { force: true });
  return removed;
}

/** A plain-language reason for a failed write, from the system error code. */
function writeProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
      return 'could not be written: the disk is full (ENOSPC); free some space and try again';
    case 'EDQUOT':
      return 'could not be written: the disk quota is exhausted (EDQUOT); free some space and try again';
    case 'EACCES':
    case 'EPERM':
      return `could not be written: permission denied (${code})`;
    case 'EROFS':
      return 'could not be written: the file system is read-only (EROFS)';
    case 'EIO':
      return 'could not be written: the disk reported an input/output error (EIO)';
    default:
      return `could not be written (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Wraps a write error as a FileError naming the target file, keeping the system error as its cause. */
function writeError(file: string, error: unknown): Error {
  if (error instanceof FileError) return error;
  const wrapped = new FileError(file, writeProblem(error));
  wrapped.cause = error;
  return wrapped;
}

/** Writes all of `data` to `fd`, however many calls the system needs. */
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Error codes of platforms and file systems that do not let a folder be opened or flushed. */
const UNSYNCABLE_FOLDER = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);

/** Flushes a folder's entries (the renames into it) to disk; a no-op where the platform refuses to open folders. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (process.platform !== 'win32' && !UNSYNCABLE_FOLDER.has(code)) throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes several files so that a failed write replaces none of them: every file's data first goes to a temporary
 * file in its folder and is flushed to disk; only when all are written are they renamed over their targets, in the
 * given order (put the file that vouches for the others last), and the folders flushed. On failure the temporary
 * files are removed and a FileError names the file that could not be written and why (e.g. the disk is full).
 */
export function writeFilesAtomic(files: readonly FileContent[]): void {
  const staged: { temp: string; file: string }[] = [];
  let current = files[0]?.file ?? '';
  let renamed = 0;
  try {
    for (const { file, data } of files) {
      current = file;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temp = temporaryName(file);
      const fd = fs.openSync(temp, 'wx');
      staged.push({ temp, file });
      try {
        writeAll(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const { temp, file } of staged) {
      current = file;
      fs.renameSync(temp, file);
      renamed++;
    }
    for (const dir of new Set(staged.map(({ file }) => path.dirname(file)))) {
      current = dir;
      syncFolder(dir);
    }
  } catch (error) {
    for (const { temp } of staged.slice(renamed)) fs.rmSync(temp, { force: true });
    throw writeError(current, error);
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a part: the data goes to a temporary
 * file in the same folder, is flushed to disk, then renamed over the target, and the folder is flushed.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ file, data }]);
}

/** Error codes of file systems that cannot make hard links (FAT, some network shares). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates a new file atomically and never replaces one: the data goes to a temporary file in the same folder and is
 * flushed, then hard-linked to `file` (the link fails if the name is taken, even by a writer racing this one), the
 * temporary name removed and the folder flushed. Returns false, writing nothing, when `file` already exists. On file
 * systems without hard links the last step is a rename after a check that the name is free.
 */
export function createFileAtomic(file: string, data: string | Uint8Array): boolean {
  let temp: string | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    temp = temporaryName(file);
    const fd = fs.openSync(temp, 'wx');
    try {
      writeAll(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(code) || fs.existsSync(file)) throw error;
      fs.renameSync(temp, file);
      temp = undefined;
    }
    syncFolder(path.dirname(file));
    return true;
  } catch (error) {
    throw writeError(file, error);
  } finally {
    if (temp) fs.rmSync(temp, { force: true });
  }
}

/**
 * Reads a regular file of at most `maxBytes` bytes: its size is checked (stat, then fstat of the open file) before a
 * buffer is allocated, and a device or pipe is refused. Throws a FileError naming `file` for those; errors of the file
 * system (ENOENT, EACCES) are thrown as they are.
 */
export function readFileBounded(file: string, maxBytes: number): Buffer {
  const refuse = (size: number) => new FileError(file, `is ${size} bytes; at most ${maxBytes} are read`);
  const before = fs.statSync(file);
  if (!before.isFile()) throw new FileError(file, 'is not a regular file');
  if (before.size > maxBytes) throw refuse(before.size);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileError(file, 'is not a regular file');
    if (stat.size > maxBytes) throw refuse(stat.size);
    const buffer = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const read = fs.readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (read === 0) throw new FileError(file, 'changed while it was read');
      offset += read;
    }
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}
