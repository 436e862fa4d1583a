/**
 * Real documents from ../shared/fixtures. A user's clone has no ../shared: tests
 * that need them skip with a clear message, except under CI=true, where a missing folder fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/fixtures beside the project, or CROSSDOCK_FIXTURES when they live elsewhere. */
export const FIXTURES = process.env.CROSSDOCK_FIXTURES
  ? process.env.CROSSDOCK_FIXTURES.replace(/\/?$/, '/')
  : fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));

/** `skip` option for node:test: false when the fixtures are there, or the reason they are not. */
export function fixturesSkip(): false | string {
  if (existsSync(FIXTURES)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but the shared fixtures are missing at ${FIXTURES}`);
  return `the shared fixtures (${FIXTURES}) are not here; these tests run in the project's CI`;
}

export function fixture(path: string): string {
  return readFileSync(FIXTURES + path, 'utf8');
}
