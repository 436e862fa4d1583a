/**
 * A base-unit figure said back to a partner: in the unit it ordered in when whole, else in base
 * units under the base unit code, never rounded; and a base-unit price per the unit the figure is
 * said in, without float noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPartnerUnit, pricePer } from './partner-order-lines.js';

const CASE_OF_12 = { unit: 'CA', factor: 12, base: 'EA' };

test('a whole number of the partner unit is said in it', () => {
  assert.deepEqual(inPartnerUnit(24, CASE_OF_12), { quantity: 2, unit: 'CA', per: 12 });
  assert.deepEqual(inPartnerUnit(12, CASE_OF_12), { quantity: 1, unit: 'CA', per: 12 });
  assert.deepEqual(inPartnerUnit(7, { unit: 'EA', factor: 1, base: 'EA' }), { quantity: 7, unit: 'EA', per: 1 });
});

test('a figure that is not a whole number of the partner unit stays in base units under the base unit code, never rounded', () => {
  assert.deepEqual(inPartnerUnit(30, CASE_OF_12), { quantity: 30, unit: 'EA', per: 1 }, '2.5 CA is not a quantity');
  assert.deepEqual(inPartnerUnit(11, CASE_OF_12), { quantity: 11, unit: 'EA', per: 1 }, 'not 1 CA, not 0 CA');
  assert.deepEqual(inPartnerUnit(13, { unit: 'CA', factor: 12, base: 'LB' }), { quantity: 13, unit: 'LB', per: 1 }, "the item's base unit, not EA");
});

test('a price per base unit is said per the unit the quantity is in, without float noise', () => {
  assert.equal(pricePer(9 / 12, 12), 9);
  assert.equal(pricePer(9.25 / 12, 12), 9.25);
  assert.equal(pricePer(0.1, 3), 0.3, 'not 0.30000000000000004');
  assert.equal(pricePer(0.7708333333333334, 1), 0.7708333333333334, 'per base unit: as given');
});
