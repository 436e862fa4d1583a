/**
 * CPU seconds used by processes, read from Linux's /proc: by pid (the hub's own processes) and by
 * command name (PostgreSQL's backends, nats-server), so a benchmark can say which process bounds
 * its figure on this machine. Elsewhere every reading is NaN and the benchmark says so.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function cpuSecondsOfPid(pid: number | string): number {
  try {
    // Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

function pidsNamed(prefix: string): string[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith(prefix);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

export type CpuGroups = Record<string, { pids?: number[]; command?: string }>;

/** CPU seconds so far of each group (processes named by pid, or every process whose command starts so). */
export function cpuSeconds(groups: CpuGroups): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, g] of Object.entries(groups)) {
    const pids: (number | string)[] = [...(g.pids ?? []), ...(g.command ? pidsNamed(g.command) : [])];
    out[name] = pids.length === 0 ? NaN : pids.reduce<number>((s, p) => s + cpuSecondsOfPid(p), 0);
  }
  return out;
}

/** What each group used between two readings. */
export function cpuUsedBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? NaN)]));
}
