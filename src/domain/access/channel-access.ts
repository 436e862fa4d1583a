/**
 * The one rule of channel binding: a key bound to channels sees and changes only those channels'
 * orders, availability and customers. An order of another channel is answered as if it did not
 * exist (a bound key must not learn that it does); naming another channel outright is refused.
 */
import { CrossdockError, NotFoundError } from '../errors.js';

export class ChannelAccess {
  static readonly everyChannel = new ChannelAccess(undefined);

  private constructor(private readonly channels: ReadonlySet<string> | undefined) {}

  static of(channels: ReadonlySet<string> | undefined): ChannelAccess {
    return channels === undefined ? ChannelAccess.everyChannel : new ChannelAccess(channels);
  }

  /** True when the key is bound to some channels rather than serving all. */
  get bound(): boolean {
    return this.channels !== undefined;
  }

  /** The channels a bound key may use, sorted; undefined for every channel. */
  get granted(): string[] | undefined {
    return this.channels === undefined ? undefined : [...this.channels].sort();
  }

  covers(channel: string): boolean {
    return this.channels === undefined || this.channels.has(channel);
  }

  /** Throws ChannelNotGrantedError when a request names a channel the key is not bound to; `path` is where it named it. */
  requireChannel(channel: string, path: string): void {
    if (!this.covers(channel)) throw new ChannelNotGrantedError(channel, path, this.granted!);
  }

  /**
   * The order when the key may see it. Throws NotFoundError for an order of another channel, as
   * for one that does not exist.
   */
  visible<T extends { channel: string }>(kind: string, id: string, record: T | undefined): T {
    if (record === undefined || !this.covers(record.channel)) throw new NotFoundError(kind, id);
    return record;
  }

  /** The channel a listing is narrowed to: the one asked for (if granted), or the key's only channel; undefined for an unbound key asking for none. Throws ChannelNotGrantedError, ChannelRequiredError. */
  listingChannel(asked: string | undefined, path: string): string | undefined {
    if (asked !== undefined) {
      this.requireChannel(asked, path);
      return asked;
    }
    if (this.channels === undefined) return undefined;
    if (this.channels.size === 1) return [...this.channels][0];
    throw new ChannelRequiredError(path, this.granted!);
  }
}

/** A request named a channel its API key is not bound to. */
export class ChannelNotGrantedError extends CrossdockError {
  readonly code = 'channel_not_granted';
  constructor(
    readonly channel: string,
    readonly path: string,
    readonly granted: readonly string[],
  ) {
    super(`The API key is bound to the channels ${granted.join(', ')}; it may not use channel '${channel}'.`);
  }
}

/** A key bound to several channels listed without saying which one. */
export class ChannelRequiredError extends CrossdockError {
  readonly code = 'channel_required';
  constructor(
    readonly path: string,
    readonly granted: readonly string[],
  ) {
    super(`The API key is bound to the channels ${granted.join(', ')}; name one of them as channel.`);
  }
}

/** A route that serves every channel at once refused a key bound to some. */
export class ChannelBoundKeyError extends CrossdockError {
  readonly code = 'channel_bound_key';
  constructor(readonly route: string) {
    super(`${route} serves every channel at once, and the API key is bound to channels; use a key not bound to channels.`);
  }
}
