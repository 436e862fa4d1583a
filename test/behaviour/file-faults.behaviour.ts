/**
 * A file-system fault in a partner folder harms only its file, on both backends: a dangling link
 * dropped beside good files in a 3PL's stock-file folder and in an EDI partner's in/ is moved to
 * failed/ with its reason and counted in /metrics, and the pollers keep taking the good files
 * (before this, the first such link stopped the process, and again after every restart). An
 * interchange still being written under a temporary name is not read until it is renamed, and a
 * second file of a name already filed away is filed beside it, never over it. Run by file-faults-*.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeInterchange } from '../../src/connectors/edi-x12/x12-interchange.js';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';
import { until } from '../support/until.js';

/** A functional acknowledgment (997) from the partner: a document the hub takes and files away. */
function acknowledgment(control: number): string {
  return writeInterchange({
    sender: { qualifier: 'ZZ', id: 'RENO3PL' },
    receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
    control,
    at: new Date('2026-11-22T10:00:00Z'),
    usage: 'P',
    groups: [
      {
        functionalId: 'FA',
        control,
        transactions: [
          {
            set: '997',
            control: 1,
            segments: [
              ['AK1', 'SH', '1'],
              ['AK9', 'A', '1', '1', '1'],
            ],
          },
        ],
      },
    ],
  });
}

export async function fileFaultBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`file-system faults in partner folders on the ${backend.name} backend`, { skip }, () => {
    let hub: HarnessHub;
    let stockInbox: string;
    let ediDir: string;
    before(async () => {
      hub = await backend.start({
        locations: { RNO: { name: 'Reno 3PL', authority: '3pl-stock' } },
        channels: { web: { locations: ['RNO'] } },
        systems: {
          '3pl-stock': { type: 'csv-snapshot', location: 'RNO', pollSeconds: 0.1, columns: { sku: 'sku', onHand: 'qty' } },
          '3pl-edi': { type: 'edi-x12', pollSeconds: 0.1, us: { qualifier: 'ZZ', id: 'CROSSDOCK' }, partner: { qualifier: 'ZZ', id: 'RENO3PL' } },
        },
      } as never);
      stockInbox = join(hub.dataDir, 'inbox', '3pl-stock');
      ediDir = join(hub.dataDir, 'edi', '3pl-edi');
      await until(
        'the partner folders',
        async () => existsSync(stockInbox) && existsSync(join(ediDir, 'in')),
        (x) => x,
      );
    });
    after(async () => {
      await hub?.stop();
    });

    const faults = async (system: string) => {
      const text = (await hub.api('GET', '/metrics')).body as string;
      const m = new RegExp(`crossdock_inbound_file_faults_total\\{system="${system}",fault="failed"\\} (\\d+)`).exec(text);
      return m ? Number(m[1]) : 0;
    };

    test('a dangling link among stock files goes to failed/ with its reason, and the good files before and after it are taken', async () => {
      writeFileSync(join(stockInbox, 'a-stock.csv'), 'sku,qty\nRNO-1,5\n');
      symlinkSync(join(stockInbox, 'no-such-file.csv'), join(stockInbox, 'b-link.csv'));
      writeFileSync(join(stockInbox, 'c-stock.csv'), 'sku,qty\nRNO-2,7\n');
      await until(
        'both good files to be processed',
        async () => existsSync(join(stockInbox, 'processed', 'a-stock.csv')) && existsSync(join(stockInbox, 'processed', 'c-stock.csv')),
        (x) => x,
      );
      await hub.settled();
      assert.equal((await hub.api('GET', '/v1/availability/RNO-1?channel=web')).body.available, 5);
      assert.equal((await hub.api('GET', '/v1/availability/RNO-2?channel=web')).body.available, 7);
      await until(
        'the link to be set aside',
        async () => existsSync(join(stockInbox, 'failed', 'b-link.csv.error.txt')),
        (x) => x,
      );
      assert.match(readFileSync(join(stockInbox, 'failed', 'b-link.csv.error.txt'), 'utf8'), /ENOENT/);
      assert.equal(await faults('3pl-stock'), 1);
      // A later file is still taken: the poller runs on.
      writeFileSync(join(stockInbox, 'd-stock.csv'), 'sku,qty\nRNO-3,2\n');
      await until(
        'the later file',
        async () => existsSync(join(stockInbox, 'processed', 'd-stock.csv')),
        (x) => x,
      );
    });

    test('a dangling link in an EDI in/ goes to failed/ with its reason, and the partner documents around it are taken', async () => {
      const inbox = join(ediDir, 'in');
      writeFileSync(join(inbox, 'a-997.edi'), acknowledgment(11));
      symlinkSync(join(inbox, 'gone.edi'), join(inbox, 'b-link.edi'));
      writeFileSync(join(inbox, 'c-997.edi'), acknowledgment(12));
      await until(
        'both documents to be processed',
        async () => existsSync(join(ediDir, 'processed', 'a-997.edi')) && existsSync(join(ediDir, 'processed', 'c-997.edi')),
        (x) => x,
      );
      await until(
        'the link to be set aside',
        async () => existsSync(join(ediDir, 'failed', 'b-link.edi.error.txt')),
        (x) => x,
      );
      assert.match(readFileSync(join(ediDir, 'failed', 'b-link.edi.error.txt'), 'utf8'), /ENOENT/);
      assert.equal(await faults('3pl-edi'), 1);
    });

    test('an interchange written under a temporary name waits for its rename; one of a name filed before is filed beside it', async () => {
      const inbox = join(ediDir, 'in');
      const filed = (name: string) => [join(ediDir, 'processed', name), join(ediDir, 'failed', name)].some((p) => existsSync(p));
      writeFileSync(join(inbox, 'd-997.edi.part'), acknowledgment(13));
      // A document dropped after it is taken, so the pollers have passed the temporary one by.
      writeFileSync(join(inbox, 'e-997.edi'), acknowledgment(14));
      await until(
        'the later document to be filed',
        async () => filed('e-997.edi'),
        (x) => x,
      );
      assert.ok(existsSync(join(inbox, 'd-997.edi.part')), 'the temporary file is left as it is');
      assert.equal(filed('d-997.edi.part'), false);
      renameSync(join(inbox, 'd-997.edi.part'), join(inbox, 'd-997.edi'));
      await until(
        'the renamed document to be filed',
        async () => filed('d-997.edi'),
        (x) => x,
      );
      // The same name again (a partner reusing its file names): filed under a stamped name, the first kept.
      const first = [join(ediDir, 'processed', 'e-997.edi'), join(ediDir, 'failed', 'e-997.edi')].find((p) => existsSync(p))!;
      writeFileSync(join(inbox, 'e-997.edi'), acknowledgment(15));
      const stamped = /^e-997\.\d{8}T\d{9}Z(-\d+)?\.edi$/;
      await until(
        'the second e-997.edi to be filed beside the first',
        async () => ['processed', 'failed'].some((dir) => readdirSync(join(ediDir, dir)).some((f) => stamped.test(f))),
        (x) => x,
      );
      assert.match(readFileSync(first, 'utf8'), /\*000000014\*/, 'the first file is kept as it was');
    });
  });
}
