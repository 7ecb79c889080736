// Owns the MongoDB connection: start-up that survives an unreachable server, reconnects, health and error mapping.
import mongoose, { type Connection } from 'mongoose';
import { StoreUnavailableError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';

/** Where the connection is: connecting (never connected yet), connected, disconnected (reconnecting), closed. */
export type MongoConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** Options of a MongoLink; only the logger is required. */
export interface MongoLinkOptions {
  logger: Logger;
  onStateChange?: ((state: MongoConnectionState) => void) | undefined;
  /** Database name overriding the one in the URI (tests use one database per run). */
  dbName?: string | undefined;
  /** Upper bound of one connection attempt and of one operation waiting for a server. Default 3000 ms. */
  serverSelectionTimeoutMS?: number | undefined;
  /** Called after the first successful connection, before the store reports itself connected; a throw retries. */
  onConnected?: ((connection: Connection) => Promise<void>) | undefined;
}

const unavailableMessage =
  'The database (MongoDB) is not reachable right now, so nothing was saved. Please try again shortly.';

const { mongo } = mongoose;

/** True for errors that mean "the server could not be reached", as opposed to a refused operation. */
export function isUnreachableError(error: unknown): boolean {
  if (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    error instanceof mongo.MongoClientClosedError ||
    error instanceof mongo.MongoServerClosedError
  ) {
    return true;
  }
  if (error instanceof mongo.MongoError && error.hasErrorLabel('RetryableWriteError')) return true;
  // Mongoose wraps server selection failures in its own error class.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'MongooseServerSelectionError' || name === 'MongoServerSelectionError';
}

/**
 * True for MongoDB's duplicate key error (code 11000). FerretDB 1.x reports a unique index violated by an
 * update as InternalError (code 1) with SQLite's "UNIQUE constraint failed" text, so that counts too.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 11000 || (e?.code === 1 && /UNIQUE constraint failed/.test(String(e.message)));
}

/** True when the server answered that a command or option is not implemented (FerretDB: code 238). */
export function isNotImplementedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 238 || code === 115 || /not implemented/i.test(String((error as Error | null)?.message));
}

/**
 * One dedicated mongoose connection (never the global default) that keeps trying to connect in the background
 * with exponential backoff, and maps "server unreachable" failures to StoreUnavailableError.
 */
export class MongoLink {
  readonly connection: Connection;
  private state: MongoConnectionState = 'connecting';
  private connectedOnce = false;
  private readonly uri: string;
  private readonly options: MongoLinkOptions;
  private readonly logger: Logger;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Why the last connection attempt failed, for health() (a wrong password looks different from a down server). */
  private lastFailure: string | undefined;

  constructor(uri: string, options: MongoLinkOptions) {
    this.uri = uri;
    this.options = options;
    this.logger = options.logger;
    this.connection = mongoose.createConnection();
    // Any filter object with `$` keys that was not built by this engine is compared as a literal value.
    this.connection.set('sanitizeFilter', true);
    this.connection.on('disconnected', () => {
      if (this.state !== 'connected') return;
      this.logger.warn('MongoDB connection lost; reconnecting in the background');
      this.setState('disconnected');
    });
    this.connection.on('reconnected', () => {
      if (this.connectedOnce) this.markConnected('MongoDB reconnected');
    });
    this.connection.on('connected', () => {
      if (this.connectedOnce) this.markConnected('MongoDB reconnected');
    });
    // Without a listener, an 'error' event would crash the process; failures are handled by the retry loop.
    this.connection.on('error', (error: unknown) => {
      this.logger.debug({ err: summarize(error) }, 'MongoDB connection error');
    });
  }

  /** Starts connecting in the background; never throws. */
  start(): void {
    this.loop ??= this.connectLoop();
  }

  /** The current state. */
  get current(): MongoConnectionState {
    return this.state;
  }

  private setState(state: MongoConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    try {
      this.options.onStateChange?.(state);
    } catch (error) {
      this.logger.error({ err: error }, 'onStateChange listener failed');
    }
  }

  private async connectLoop(): Promise<void> {
    const timeout = this.options.serverSelectionTimeoutMS ?? 3000;
    let delay = 250;
    let warned = false;
    while (!this.isClosed()) {
      try {
        await this.connection.openUri(this.uri, {
          serverSelectionTimeoutMS: timeout,
          connectTimeoutMS: timeout,
          bufferCommands: false,
          // Acknowledged only once in the server's journal: on a single server the default (w: 1) acknowledges a
          // write held only in memory, and what a person is shown must survive a crash of the database too.
          writeConcern: { j: true },
          autoIndex: false,
          autoCreate: false,
          ...(this.options.dbName ? { dbName: this.options.dbName } : {}),
        });
        if (!this.isClosed()) await this.options.onConnected?.(this.connection);
        if (this.isClosed()) {
          // close() ran while this attempt was in flight: do not leave a live client behind.
          await this.connection.close(true).catch(() => undefined);
          return;
        }
        this.connectedOnce = true;
        this.markConnected('MongoDB connected');
        return;
      } catch (error) {
        if (this.isClosed()) return;
        this.lastFailure = summarize(error).message;
        if (!warned) {
          warned = true;
          this.logger.warn({ err: summarize(error) }, 'MongoDB not reachable, retrying');
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private markConnected(message: string): void {
    if (this.state === 'connected' || this.isClosed()) return;
    this.logger.info(message);
    this.setState('connected');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  /** Throws StoreUnavailableError unless the store has connected at least once and is not closed. */
  ensureUsable(): void {
    if (this.isClosed()) throw new StoreUnavailableError('The store is closed; nothing was saved.');
    if (!this.connectedOnce) throw new StoreUnavailableError(unavailableMessage);
  }

  /** Runs a database operation: refuses early while never connected, maps unreachable-server errors. */
  async run<R>(operation: () => Promise<R>): Promise<R> {
    this.ensureUsable();
    try {
      return await operation();
    } catch (error) {
      if (isUnreachableError(error)) throw new StoreUnavailableError(unavailableMessage, { cause: error });
      throw error;
    }
  }

  /** Whether a ping succeeds right now (bounded by the server selection timeout). */
  async health(): Promise<{ ok: boolean; detail: string }> {
    if (this.isClosed()) return { ok: false, detail: 'MongoDB store is closed' };
    if (!this.connectedOnce) {
      const why = this.lastFailure ? ` (${this.lastFailure})` : '';
      return { ok: false, detail: `MongoDB not reachable yet${why}; retrying in the background` };
    }
    try {
      const db = this.connection.db;
      if (!db) return { ok: false, detail: 'MongoDB connection has no database' };
      await db.command({ ping: 1 });
      return { ok: true, detail: `MongoDB database ${db.databaseName}` };
    } catch (error) {
      return { ok: false, detail: `MongoDB not reachable: ${summarize(error).message}` };
    }
  }

  /** Stops retrying and closes the connection. */
  async close(): Promise<void> {
    if (this.isClosed()) return;
    this.setState('closed');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.connection.close(true).catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }
}

/** The name and message of an error, without stacks or connection strings. */
export function summarize(error: unknown): { name: string; message: string } {
  const e = error as { name?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? error).replace(/mongodb(\+srv)?:\/\/\S+/g, 'mongodb://[redacted]');
  return { name: String(e?.name ?? 'Error'), message: message.slice(0, 300) };
}
