/**
 * The behaviour every DestinationLeases must have, as one suite an adapter runs: a destination's
 * lease has one holder at a time among all processes, and passes to another process when its
 * holder releases it, closes, or dies (its `lost` resolves then). Only PostgreSQL implements the
 * port today: the embedded hub is one process and needs no leases.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { DestinationLeases } from '../../src/ports/destination-leases.js';
import type { Skip } from './adapter-under-test.js';

export interface LeaseProcesses {
  /** Leases as one more process of the same hub would hold them. */
  open(): DestinationLeases;
  /** The process holding `destination` dies as far as the lease store can tell (its connection is cut). */
  killHolder(destination: string): Promise<void>;
  cleanup(): Promise<void>;
}

const settled = (p: Promise<void>, ms = 2000) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

export function describeDestinationLeasesContract(name: string, make: () => Promise<LeaseProcesses>, skip: Skip = false): void {
  describe(`DestinationLeases contract: ${name}`, { skip }, () => {
    let ctx: LeaseProcesses;
    let a: DestinationLeases;
    let b: DestinationLeases;
    beforeEach(async () => {
      ctx = await make();
      a = ctx.open();
      b = ctx.open();
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await ctx.cleanup();
    });

    it("gives a destination's lease to one process at a time, and other destinations to others", async () => {
      const held = await a.tryAcquire('erp');
      assert.ok(held, 'a free lease is given');
      assert.equal(await b.tryAcquire('erp'), undefined, 'held by another process');
      assert.ok(await b.tryAcquire('web'), 'another destination is free');
      assert.equal(await a.tryAcquire('web'), undefined);
    });

    it('passes the lease on when its holder releases it', async () => {
      const held = (await a.tryAcquire('erp'))!;
      await held.release();
      assert.ok(await b.tryAcquire('erp'));
      assert.equal(await a.tryAcquire('erp'), undefined);
    });

    it('passes every lease on when its holder closes', async () => {
      await a.tryAcquire('erp');
      await a.tryAcquire('web');
      await a.close();
      assert.ok(await b.tryAcquire('erp'));
      assert.ok(await b.tryAcquire('web'));
    });

    it('tells a holder that dies it lost the lease, and passes the lease on', async () => {
      const held = (await a.tryAcquire('erp'))!;
      assert.equal(await settled(held.lost, 50), false, 'not lost while held');
      await ctx.killHolder('erp');
      assert.equal(await settled(held.lost), true, 'lost resolves');
      assert.ok(await b.tryAcquire('erp'), 'another process takes it');
      const again = await a.tryAcquire('erp').catch(() => undefined);
      assert.equal(again, undefined, 'the dead holder does not get it back while another holds it');
    });
  });
}
