/**
 * The file-system side of a folder a partner drops files into, shared by the stock-file and EDI
 * pollers: listing, reading and moving files so that a fault harms only the file at fault. A file
 * that vanished between listing and reading is skipped; a shortage of file handles leaves it for
 * the next scan; an entry that can never be read (a dangling link, no permission) is moved to
 * failed/ with its reason, so that it stops no scan, now or after a restart.
 */
import { lstatSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

export class FolderInbox {
  /** Entries that could not even be moved to failed/: skipped for the life of the process, reported once. */
  private readonly stuck = new Set<string>();

  constructor(
    private readonly o: {
      system: string;
      /** Where files arrive. */
      inbox: string;
      /** Where files that cannot be taken go, each with a .error.txt. */
      failed: string;
      fault: (f: FileFault) => void;
    },
  ) {}

  /** The names of the regular files waiting, oldest name first; entries at fault are dealt with and left out. */
  waiting(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.o.inbox);
    } catch (err) {
      this.o.fault({ system: this.o.system, file: '(folder)', fault: 'transient', reason: describe(err) });
      return [];
    }
    return names.filter((name) => !name.startsWith('.') && !this.stuck.has(name) && this.isFile(name)).sort();
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

  /** Moves a taken file to `dir`, with `note` beside it; false (reported) when the move fails. */
  move(name: string, dir: string, note?: { suffix: string; text: string }): boolean {
    try {
      renameSync(join(this.o.inbox, name), join(dir, name));
      if (note) writeFileSync(join(dir, `${name}${note.suffix}`), note.text);
      return true;
    } catch (err) {
      // A file that was taken but stays in the inbox would be taken again every scan.
      this.stuck.add(name);
      this.o.fault({ system: this.o.system, file: name, fault: 'stuck', reason: `could not be moved to ${dir}: ${describe(err)}` });
      return false;
    }
  }

  private isFile(name: string): boolean {
    try {
      return statSync(join(this.o.inbox, name)).isFile();
    } catch (err) {
      this.setAside(name, err);
      return false;
    }
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
