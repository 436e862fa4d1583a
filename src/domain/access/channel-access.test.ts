import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelAccess, ChannelBoundKeyError, ChannelNotGrantedError, ChannelRequiredError } from './channel-access.js';
import { NotFoundError } from '../errors.js';
import { grantsScope, inForce, type KeyGrant } from './key-grant.js';

const web = ChannelAccess.of(new Set(['web']));
const two = ChannelAccess.of(new Set(['web', 'b2b']));

test('an unbound key covers every channel and lists without narrowing', () => {
  const every = ChannelAccess.of(undefined);
  assert.equal(every, ChannelAccess.everyChannel);
  assert.equal(every.bound, false);
  assert.equal(every.covers('anything'), true);
  assert.equal(every.listingChannel(undefined, '/channel'), undefined);
  assert.equal(every.listingChannel('amazon', '/channel'), 'amazon');
});

test("another channel's order is answered as a missing one", () => {
  assert.deepEqual(web.visible('Order', 'o1', { channel: 'web' }), { channel: 'web' });
  assert.throws(
    () => web.visible('Order', 'o2', { channel: 'amazon' }),
    (e) => e instanceof NotFoundError && e.message === new NotFoundError('Order', 'o2').message,
  );
  assert.throws(() => web.visible('Order', 'o3', undefined), NotFoundError);
});

test('naming a channel the key is not bound to is refused with the field; a listing is narrowed to the only channel', () => {
  assert.throws(
    () => web.requireChannel('amazon', '/channel'),
    (e) => e instanceof ChannelNotGrantedError && e.path === '/channel' && e.granted.join() === 'web',
  );
  assert.equal(web.listingChannel(undefined, '/channel'), 'web');
  assert.equal(two.listingChannel('b2b', '/channel'), 'b2b');
  assert.throws(() => two.listingChannel(undefined, '/channel'), ChannelRequiredError);
  assert.deepEqual(two.granted, ['b2b', 'web']);
});

test('admin reads metrics; no other scope implies another; a grant is in force until its expiry instant', () => {
  const grant = (scopes: KeyGrant['scopes'], expiresAt?: number): KeyGrant => ({ id: 'k', name: 'k', scopes, ...(expiresAt ? { expiresAt } : {}) });
  assert.equal(grantsScope(grant(new Set(['admin'])), 'metrics'), true);
  assert.equal(grantsScope(grant(new Set(['admin'])), 'orders:read'), false);
  assert.equal(grantsScope(grant(new Set(['metrics'])), 'admin'), false);
  assert.equal(inForce(grant(new Set(['admin']), 1000), 999), true);
  assert.equal(inForce(grant(new Set(['admin']), 1000), 1000), false);
  assert.equal(inForce(grant(new Set(['admin'])), Number.MAX_SAFE_INTEGER), true);
});

test('a bound key says which channels it has, in its refusals too', () => {
  assert.equal(web.bound, true);
  assert.equal(ChannelAccess.everyChannel.granted, undefined);
  assert.equal(web.covers('web'), true);
  assert.equal(web.covers('amazon'), false);
  assert.doesNotThrow(() => web.requireChannel('web', '/channel'));
  const refused = new ChannelNotGrantedError('amazon', '/channel', ['b2b', 'web']);
  assert.equal(refused.code, 'channel_not_granted');
  assert.equal(refused.message, "The API key is bound to the channels b2b, web; it may not use channel 'amazon'.");
  try {
    two.listingChannel(undefined, '/query/channel');
    assert.fail('a key bound to two channels must name one');
  } catch (e) {
    assert.ok(e instanceof ChannelRequiredError);
    assert.equal(e.code, 'channel_required');
    assert.equal(e.path, '/query/channel');
    assert.equal(e.message, 'The API key is bound to the channels b2b, web; name one of them as channel.');
  }
  const all = new ChannelBoundKeyError('GET /v1/events');
  assert.equal(all.code, 'channel_bound_key');
  assert.equal(all.message, 'GET /v1/events serves every channel at once, and the API key is bound to channels; use a key not bound to channels.');
});

test('scopes are granted as listed', () => {
  const g: KeyGrant = { id: 'k', name: 'k', scopes: new Set(['orders:read', 'metrics']) };
  assert.equal(grantsScope(g, 'orders:read'), true);
  assert.equal(grantsScope(g, 'metrics'), true);
  assert.equal(grantsScope(g, 'orders:write'), false);
  assert.equal(grantsScope({ ...g, scopes: new Set(['orders:read']) }, 'metrics'), false);
});
