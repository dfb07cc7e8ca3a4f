import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError } from '../errors';
import { processIsAlive } from '../fsutil';

/** Name of the lock file a training run keeps in its model folder. */
export const LOCK_FILE = '.lock';

/** What a lock file says about the run holding it. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the run took the lock. */
  readonly startedAt: string;
  /** Tells this lock apart from a later one of the same process. */
  readonly token: string;
}

/** A held model-folder lock. */
export interface ModelFolderLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Gives the lock up (only if the file is still this lock's); safe to call more than once. */
  release(): void;
}

/** An unreadable lock file younger than this may still be being written by its owner. */
const UNREADABLE_GRACE_MS = 60_000;

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.hostname === 'string' && typeof owner.startedAt === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Tokens of the locks this process holds. */
const HELD_TOKENS = new Set<string>();

/** True when the lock's run cannot still be writing: it ran on this host and its process is gone (or predates the boot). */
function isStale(file: string, owner: LockOwner | undefined): boolean {
  if (!owner) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return true;
    }
  }
  if (owner.hostname !== os.hostname()) return false;
  // Our own pid on a lock this process does not hold: a run before a restart that reused the pid (containers).
  if (owner.pid === process.pid) return !HELD_TOKENS.has(owner.token);
  const bootedAt = Date.now() - os.uptime() * 1000;
  return !processIsAlive(owner.pid) || Date.parse(owner.startedAt) < bootedAt - 60_000;
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'details unreadable';
  const host = owner.hostname === os.hostname() ? '' : ` on ${owner.hostname}`;
  return `pid ${owner.pid}${host}, started ${owner.startedAt}`;
}

/** Creates the lock file exclusively; false when one exists. */
function create(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FileError(path.dirname(file), `cannot create the lock file ${LOCK_FILE} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    fs.writeSync(fd, JSON.stringify(owner));
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw new FileError(path.dirname(file), `cannot write the lock file ${LOCK_FILE} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  fs.closeSync(fd);
  return true;
}

/**
 * Moves a stale lock out of the way. The lock is renamed to a name of its own before it is deleted, and put back if
 * it turns out to have been replaced by a live run in between, so two runs taking over the same stale lock cannot
 * remove each other's fresh one.
 */
function takeOver(file: string, stale: LockOwner | undefined): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  const replaced = stale ? moved?.token !== stale.token : moved !== undefined;
  if (replaced) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third run already holds the folder; its lock stands.
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * Who holds a model folder's lock now, as messages name a run ("pid 4242, started …"); undefined when the folder has
 * no lock or only a stale one (its run is gone).
 */
export function activeLockHolder(dir: string): string | undefined {
  const file = path.join(path.resolve(dir), LOCK_FILE);
  if (!fs.existsSync(file)) return undefined;
  const owner = readOwner(file);
  return isStale(file, owner) ? undefined : describeOwner(owner);
}

/**
 * Makes this process the only writer of a model folder: creates `<dir>/.lock` exclusively, recording the pid, host
 * and start time. A lock whose process no longer runs on this host is stale and is taken over. If another run holds
 * the folder, throws a FileError saying which one. The lock is also removed if the process exits while holding it.
 */
export function lockModelFolder(dir: string): ModelFolderLock {
  const resolved = path.resolve(dir);
  const created = !fs.existsSync(resolved);
  try {
    fs.mkdirSync(resolved, { recursive: true });
  } catch (error) {
    throw new FileError(resolved, `cannot create the model folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const file = path.join(resolved, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; !create(file, owner); attempt++) {
    const current = readOwner(file);
    if (attempt >= 3 || !isStale(file, current)) {
      throw new FileError(resolved, `is being written by another training run (${describeOwner(current)}); wait for it to finish or cancel it — if no run is active (it ran on another machine and stopped), delete ${path.join(resolved, LOCK_FILE)}`);
    }
    takeOver(file, current);
  }
  let held = true;
  HELD_TOKENS.add(owner.token);
  const release = () => {
    if (!held) return;
    held = false;
    HELD_TOKENS.delete(owner.token);
    process.off('exit', release);
    if (readOwner(file)?.token !== owner.token) return;
    fs.rmSync(file, { force: true });
    // A run that failed before writing anything leaves no empty folder behind.
    if (created) {
      try {
        fs.rmdirSync(resolved);
      } catch {
        // Not empty: the run wrote something worth keeping.
      }
    }
  };
  process.on('exit', release);
  return { file, owner, release };
}
