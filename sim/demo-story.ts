/**
 * What the demo prints while it runs, for a person watching the terminal: each order as it is
 * captured, then every few seconds one line summing up what moved (orders released, shipped,
 * delivered, invoiced; stock by location; EDI files exchanged). Quiet periods print nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

type Milestone = 'released' | 'shipped' | 'delivered' | 'invoiced';

export class DemoStory {
  private milestones = new Map<Milestone, number>();
  private stock = new Map<string, { in: number; out: number; events: number }>();
  private readonly filesSeen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: { print: (line: string) => void; ediFolders: string[]; everyMs?: number }) {
    // Files already there at start were exchanged by an earlier run.
    this.newFiles();
  }

  start(): void {
    this.timer = setInterval(() => this.summarise(), this.o.everyMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  captured(orderId: string, how: string, lines: { sku: string; qty: number }[]): void {
    this.o.print(`demo: order ${orderId} captured ${how}: ${lines.map((l) => `${l.qty} × ${l.sku}`).join(', ')}`);
  }

  milestone(kind: Milestone): void {
    this.milestones.set(kind, (this.milestones.get(kind) ?? 0) + 1);
  }

  moved(location: string, onHandDelta: number): void {
    const s = this.stock.get(location) ?? { in: 0, out: 0, events: 0 };
    if (onHandDelta > 0) s.in += onHandDelta;
    else s.out -= onHandDelta;
    s.events++;
    this.stock.set(location, s);
  }

  /** One line for what happened since the last one; nothing when nothing did. */
  summarise(): void {
    const parts: string[] = [];
    const orders = (['released', 'shipped', 'delivered', 'invoiced'] as const)
      .filter((k) => this.milestones.get(k))
      .map((k) => `${this.milestones.get(k)} ${k}`);
    if (orders.length > 0) parts.push(`orders ${orders.join(', ')}`);
    const stock = [...this.stock].sort(([a], [b]) => a.localeCompare(b)).map(([loc, s]) => `${loc} +${s.in}/−${s.out}`);
    if (stock.length > 0) parts.push(`stock moved ${stock.join(', ')} (${[...this.stock.values()].reduce((n, s) => n + s.events, 0)} movements)`);
    const files = this.newFiles();
    if (files.length > 0) parts.push(`EDI files ${files.join(', ')}`);
    this.milestones = new Map();
    this.stock = new Map();
    if (parts.length > 0) this.o.print(`demo: ${parts.join('; ')}`);
  }

  /** Files that appeared in the partners' folders since the last look, as "2 × 997 to acme". */
  private newFiles(): string[] {
    const counts = new Map<string, number>();
    for (const folder of this.o.ediFolders) {
      const partner = folder.split(/[\\/]/).pop()!;
      for (const [sub, direction] of [
        ['out', 'to'],
        ['processed', 'from'],
      ] as const) {
        const dir = join(folder, sub);
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir)) {
          const key = join(dir, name);
          if (this.filesSeen.has(key)) continue;
          this.filesSeen.add(key);
          const kind = /^(\d{3})-/.exec(name)?.[1] ?? (name.startsWith('PO-') ? '850' : 'file');
          const label = `${kind} ${direction} ${partner}`;
          counts.set(label, (counts.get(label) ?? 0) + 1);
        }
      }
    }
    return [...counts].map(([label, n]) => `${n} × ${label}`);
  }
}
