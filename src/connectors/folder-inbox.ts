/**
 * The file-system side of a folder a partner drops files into, shared by the stock-file and EDI
 * pollers: listing, reading and moving files so that a fault harms only the file at fault. A file
 * that vanished between listing and reading is skipped; a shortage of file handles leaves it for
 * the next scan; an entry that can never be read (a dangling link, no permission) is moved to
 * failed/ with its reason, so that it stops no scan, now or after a restart.
 *
 * A file is taken only once it is complete: a name a sender writes under before renaming (a
 * leading dot, *.tmp, *.part) is left alone and the file is taken as soon as it appears under its
 * final name; any other file waits until its size and modification time have stayed the same for
 * the settle time, so a count cut mid-number is never read. A file moved to processed/ or failed/ never replaces one of the same name already there.
 */
import { existsSync, linkSync, lstatSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** What happened to one file (or to the listing): reported to the operator's log and metrics. */
export interface FileFault {
  system: string;
  /** The file, or '(folder)' when the folder itself could not be listed. */
  file: string;
  /** vanished: gone before it was read; transient: retried next scan; failed: moved to failed/; stuck: could not even be moved. */
  fault: 'vanished' | 'transient' | 'failed' | 'stuck';
  reason: string;
}

/** Errors that pass: too many open files, a busy or interrupted call. The file is taken on a later scan. */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ENOMEM']);

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? '';

/** Whether an error is a passing shortage (of file handles, say): the file waits for the next scan rather than going to failed/. */
export const isTransient = (err: unknown): boolean => TRANSIENT.has(codeOf(err));
const describe = (err: unknown) => (err as Error).message ?? String(err);

/** How long a file's size and modification time must stay unchanged before it is taken, unless configured. */
export const DEFAULT_SETTLE_MS = 2000;

/** Names senders write under and rename when done (SFTP and FTP clients, rsync, editors): never taken. */
export const isTemporaryName = (name: string): boolean => name.startsWith('.') || /\.(tmp|part)$/i.test(name);

/** The name a temporary file is renamed to when done: .fba.tsv, fba.tsv.part, fba.tsv.tmp → fba.tsv. */
export const finalName = (temporary: string): string => temporary.replace(/\.(tmp|part)$/i, '').replace(/^\.+/, '');

/** `name` with a stamp before its extension: fba.tsv → fba.20261122T100000123Z.tsv, then fba.20261122T100000123Z-2.tsv. */
export function archivedName(name: string, at: number, attempt: number): string {
  const ext = extname(name);
  const stem = ext === '' || ext === name ? name : name.slice(0, -ext.length);
  const stamp = new Date(at).toISOString().replace(/[-:.]/g, '');
  return `${stem}.${stamp}${attempt > 1 ? `-${attempt}` : ''}${ext === name ? '' : ext}`;
}

export class FolderInbox {
  /** Entries that could not even be moved to failed/: skipped for the life of the process, reported once. */
  private readonly stuck = new Set<string>();
  /** Each waiting file's size and modification time when last seen changed, and since when they hold. */
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  /** The final names of the temporary files of the last listing: one that appears as its temporary one goes was renamed, so complete. */
  private renaming = new Set<string>();

  constructor(
    private readonly o: {
      system: string;
      /** Where files arrive. */
      inbox: string;
      /** Where files that cannot be taken go, each with a .error.txt. */
      failed: string;
      fault: (f: FileFault) => void;
      /** How long size and modification time must hold before a file is taken; 0 takes it on sight. Default DEFAULT_SETTLE_MS. */
      settleMs?: number;
      /** The clock the settle time is measured by (milliseconds). */
      now?: () => number;
    },
  ) {}

  /**
   * The names of the complete regular files waiting, oldest name first; entries at fault are dealt
   * with and left out, temporary names and files still changing (or not yet seen for the settle
   * time) wait for a later scan.
   */
  waiting(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.o.inbox);
    } catch (err) {
      this.o.fault({ system: this.o.system, file: '(folder)', fault: 'transient', reason: describe(err) });
      return [];
    }
    const listed = new Set(names);
    for (const name of this.seen.keys()) if (!listed.has(name)) this.seen.delete(name);
    const renamed = new Set([...this.renaming].filter((n) => listed.has(n) && !names.some((t) => isTemporaryName(t) && finalName(t) === n)));
    this.renaming = new Set(names.filter(isTemporaryName).map(finalName));
    return names.filter((name) => !isTemporaryName(name) && !this.stuck.has(name) && this.isComplete(name, renamed.has(name))).sort();
  }

  /** The file's text and modification time, or undefined when it cannot be read now (the fault is reported). */
  read(name: string): { text: string; modified: Date } | undefined {
    const path = join(this.o.inbox, name);
    try {
      return { text: readFileSync(path, 'utf8'), modified: statSync(path).mtime };
    } catch (err) {
      this.setAside(name, err);
      return undefined;
    }
  }

  /**
   * Moves a taken file to `dir`, with `note` beside it, under its own name or, when `dir` holds
   * that name already (a partner re-sends fba.tsv every night), under a stamped one: the name it
   * was archived under, or false (reported) when the move fails.
   */
  move(name: string, dir: string, note?: { suffix: string; text: string | ((archivedAs: string) => string) }): string | false {
    try {
      const archived = this.placeWithoutReplacing(name, dir, note?.suffix ?? '');
      this.seen.delete(name);
      if (note) writeFileSync(join(dir, `${archived}${note.suffix}`), typeof note.text === 'string' ? note.text : note.text(archived));
      return archived;
    } catch (err) {
      // A file that was taken but stays in the inbox would be taken again every scan.
      this.stuck.add(name);
      this.o.fault({ system: this.o.system, file: name, fault: 'stuck', reason: `could not be moved to ${dir}: ${describe(err)}` });
      return false;
    }
  }

  /**
   * A hard link fails rather than replace (EEXIST), so two processes archiving the same name at
   * once cannot overwrite each other; where the file system has no hard links, a checked rename.
   */
  private placeWithoutReplacing(name: string, dir: string, noteSuffix: string): string {
    const from = join(this.o.inbox, name);
    const now = this.o.now?.() ?? Date.now();
    for (let attempt = 0; ; attempt++) {
      const target = attempt === 0 ? name : archivedName(name, now, attempt);
      // A note left without its file still names an earlier file: its name is taken too.
      if (existsSync(join(dir, target)) || (noteSuffix !== '' && existsSync(join(dir, `${target}${noteSuffix}`)))) continue;
      try {
        linkSync(from, join(dir, target));
      } catch (err) {
        const code = codeOf(err);
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw err;
        renameSync(from, join(dir, target));
        return target;
      }
      unlinkSync(from);
      return target;
    }
  }

  /** A regular file renamed from its temporary name, or whose size and modification time have held for the settle time. */
  private isComplete(name: string, renamed: boolean): boolean {
    let size: number;
    let mtimeMs: number;
    try {
      const st = statSync(join(this.o.inbox, name));
      if (!st.isFile()) return false;
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch (err) {
      this.setAside(name, err);
      return false;
    }
    const settleMs = this.o.settleMs ?? DEFAULT_SETTLE_MS;
    // The sender renamed it when done: complete now, without waiting out the settle time.
    if (settleMs <= 0 || renamed) return true;
    const now = this.o.now?.() ?? Date.now();
    const last = this.seen.get(name);
    if (!last || last.size !== size || last.mtimeMs !== mtimeMs) {
      // First seen, or still being written: the settle time starts again.
      this.seen.set(name, { size, mtimeMs, since: now });
      return false;
    }
    return now - last.since >= settleMs;
  }

  /** Deals with a file that could not be stat'ed or read, by what the error says of it. */
  private setAside(name: string, err: unknown): void {
    const code = codeOf(err);
    const reason = describe(err);
    if (TRANSIENT.has(code)) {
      this.o.fault({ system: this.o.system, file: name, fault: 'transient', reason });
      return;
    }
    // ENOENT on an entry that is still listed is a dangling link; on one that is gone, a file taken away.
    if (code === 'ENOENT' && !this.present(name)) {
      this.o.fault({ system: this.o.system, file: name, fault: 'vanished', reason });
      return;
    }
    if (this.move(name, this.o.failed, { suffix: '.error.txt', text: `${reason}\n` })) {
      this.o.fault({ system: this.o.system, file: name, fault: 'failed', reason });
    }
  }

  private present(name: string): boolean {
    try {
      lstatSync(join(this.o.inbox, name));
      return true;
    } catch {
      return false;
    }
  }
}
