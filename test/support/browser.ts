/**
 * A real browser for the console's tests: Debian's chromium (`.ci/run` installs it) driven by
 * playwright-core, which downloads nothing. Without chromium the suite skips, saying why, except
 * under CI=true, where a missing browser fails the run.
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CROSSDOCK_CHROMIUM || '/usr/bin/chromium';

/** Why browser tests cannot run here, or false. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it`);
  return `${reason}: skipped`;
}

/** Screenshots of each view are kept here (gitignored) for a person to look at after the run. */
export const ARTIFACTS = new URL('../../../test-artifacts/console/', import.meta.url).pathname;

export async function launchBrowser(): Promise<{ context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'crossdock-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * An axe-core scan of the page as it stands: its serious and critical violations. axe is evaluated
 * in the page through the DevTools protocol, which the console's Content-Security-Policy (scripts
 * from the hub only) does not govern, so the page is scanned under its real policy.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n: { target: unknown }) => JSON.stringify(n.target)) }));
  });
}
