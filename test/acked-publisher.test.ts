/**
 * The scale-out log's batch publisher against the real NATS server: acks come back in the order
 * published with the stream's sequences, a message id seen before is stored once and reported as
 * a duplicate, and a message nothing stores fails its batch with the subject named.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { NATS_URL, scaleOut, skipReason } from './support/backends.js';
import { AckedPublisher, PublishRefusedError } from '../src/adapters/nats/acked-publisher.js';

const skip = await skipReason(scaleOut);
const stream = `t_pub_${randomBytes(4).toString('hex')}`;
let nc: NatsConnection;
let jsm: JetStreamManager;
let publisher: AckedPublisher;

before(async () => {
  if (skip) return;
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: StorageType.Memory });
  publisher = new AckedPublisher(nc, 2000);
});
after(async () => {
  if (skip) return;
  await jsm.streams.delete(stream).catch(() => false);
  await nc.drain();
  publisher.close();
});

test('acknowledges a batch in order, and a repeated message id as a duplicate of the stored one', { skip }, async () => {
  const batch = Array.from({ length: 500 }, (_, i) => ({ subject: `${stream}.p.${i % 7}`, body: JSON.stringify({ i }), msgId: `m-${i}` }));
  const acks = await publisher.publish(batch);
  assert.deepEqual(
    acks.map((a) => a.seq),
    batch.map((_, i) => i + 1),
  );
  assert.ok(acks.every((a) => !a.duplicate));

  // Two batches at once, one repeating ids of the first batch: the repeats are not stored again.
  const [fresh, again] = await Promise.all([
    publisher.publish([{ subject: `${stream}.p.1`, body: '"x"', msgId: 'm-new' }]),
    publisher.publish([
      { subject: `${stream}.p.0`, body: '"changed"', msgId: 'm-3' },
      { subject: `${stream}.p.0`, body: '"y"', msgId: 'm-4' },
    ]),
  ]);
  assert.deepEqual(again, [
    { seq: 4, duplicate: true },
    { seq: 5, duplicate: true },
  ]);
  assert.deepEqual(fresh, [{ seq: 501, duplicate: false }]);
  assert.equal((await jsm.streams.info(stream)).state.messages, 501);
  const stored = await jsm.streams.getMessage(stream, { seq: 4 });
  assert.equal(stored!.string(), JSON.stringify({ i: 3 }));
});

test('fails the batch, naming the subject, when no stream takes a message; other batches go on', { skip }, async () => {
  const nowhere = `${stream}_none.x`;
  await assert.rejects(
    publisher.publish([
      { subject: `${stream}.p.2`, body: '1', msgId: 'ok-1' },
      { subject: nowhere, body: '2', msgId: 'lost-1' },
    ]),
    (err: unknown) => err instanceof PublishRefusedError && err.subject === nowhere && /503|no responders/.test(err.message),
  );
  const [ack] = await publisher.publish([{ subject: `${stream}.p.2`, body: '3', msgId: 'ok-2' }]);
  assert.equal(ack!.duplicate, false);
});
