// A node:test reporter that lists what did not run: every skipped suite or test with its reason,
// so a run without PostgreSQL, NATS, chromium or the fixtures says exactly what it left out.
export default async function* skipSummary(source) {
  const skipped = [];
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined && event.data.skip !== false) {
      const reason = typeof event.data.skip === 'string' ? event.data.skip : 'skipped';
      skipped.push({ name: event.data.name, file: event.data.file, reason });
    }
  }
  yield JSON.stringify(skipped);
}
