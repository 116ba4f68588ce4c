import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Db } from "../db/database";
import { SingleFlight } from "./single-flight";

/** Who holds a lease: this machine, this process, and a random part (two holders in one process differ). */
export function newHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export type PeriodicLeaseOptions = {
  /** How long the lease lasts from each acquisition or renewal: a holder that dies is replaced this long after. */
  ttlMs: number;
  holder?: string;
  now?: () => Date;
};

/**
 * A named lease in the database (table `leases`, decision 0021): at most one holder at a time across every instance
 * sharing the database. `acquire` takes it when it is free or has expired and renews it when it is already ours —
 * one conditional UPDATE (or an INSERT … ON CONFLICT DO NOTHING the first time), atomic on SQLite and on PostgreSQL,
 * where a concurrent taker blocks on the row and then finds the condition false. Times are the instances' own clocks,
 * as in every claim of this code base: they must agree to well within the lease (NTP).
 */
export class PeriodicLease {
  readonly holder: string;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    readonly name: string,
    private readonly options: PeriodicLeaseOptions,
  ) {
    this.holder = options.holder ?? newHolderId();
    this.now = options.now ?? (() => new Date());
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Takes the lease if it is free or expired, or extends it if it is ours; true when this holder has it now. */
  async acquire(): Promise<boolean> {
    const now = this.now();
    const at = now.toISOString();
    const current = await this.db
      .selectFrom("leases")
      .select(["holder", "held_until"])
      .where("name", "=", this.name)
      .executeTakeFirst();
    // Someone else's and running: answered by a read, so that waiting instances write nothing.
    if (current && current.holder !== this.holder && current.held_until >= at) return false;
    const until = new Date(now.getTime() + this.options.ttlMs).toISOString();
    if (current) {
      const taken = await this.db
        .updateTable("leases")
        .set({ holder: this.holder, held_until: until })
        .where("name", "=", this.name)
        .where((eb) => eb.or([eb("held_until", "<", at), eb("holder", "=", this.holder)]))
        .executeTakeFirst();
      return Number(taken.numUpdatedRows) > 0;
    }
    const inserted = await this.db
      .insertInto("leases")
      .values({ name: this.name, holder: this.holder, held_until: until })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Gives the lease back if it is ours, so that another instance takes it at its next tick rather than after it. */
  async release(): Promise<void> {
    await this.db.deleteFrom("leases").where("name", "=", this.name).where("holder", "=", this.holder).execute();
  }
}

export type LeasedTimerOptions = {
  /** How often each instance looks; only the lease's holder runs the pass. */
  everyMs: number;
  /** The lease's length; by default twice the period and at least 15 seconds. */
  ttlMs?: number;
  holder?: string;
  now?: () => Date;
};

/** A lease long enough to be renewed at each tick with room to spare: twice the period, at least 15 seconds. */
export function ttlFor(everyMs: number): number {
  return Math.max(2 * everyMs, 15_000);
}

/**
 * Periodic work that runs in one instance at a time (issue 16: the deadline scanner, the portal's change feed, the
 * announcement scheduler, the orphan sweeper). Every instance ticks; a tick runs the pass only if it holds the lease
 * `name` or takes it (free, expired), and the holder renews it at each tick and every third of the lease while a
 * pass runs. So while the holder lives the others never run it; when it dies they take over once its lease has run
 * out; when it stops it gives the lease back. Passes in one process never overlap (a kick mid-pass asks for one more,
 * SingleFlight). The work behind each of these is safe to run twice anyway (idempotent keys, per-event dedup): the
 * lease makes it run once, it is not what keeps it correct.
 */
export class LeasedTimer {
  readonly lease: PeriodicLease;
  private readonly flight: SingleFlight;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private lastRan = false;

  constructor(
    db: Db,
    name: string,
    private readonly pass: () => Promise<unknown>,
    private readonly options: LeasedTimerOptions,
    private readonly onError: (error: unknown) => void,
  ) {
    this.lease = new PeriodicLease(db, name, {
      ttlMs: options.ttlMs ?? ttlFor(options.everyMs),
      ...(options.holder ? { holder: options.holder } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.flight = new SingleFlight(() => this.leased(), onError);
  }

  /** Ticks now and every period. */
  start(): void {
    this.stopped = false;
    this.stopping = undefined;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.everyMs);
    this.timer.unref();
  }

  /** A tick now (one more after the pass running here, if any). */
  kick(): void {
    if (this.stopped) return;
    this.flight.kick();
  }

  /** One tick, awaited: true when this instance held the lease and ran the pass. */
  async tick(): Promise<boolean> {
    this.kick();
    await this.flight.idle();
    return this.lastRan;
  }

  /** Resolves when no pass is running here and none is asked for (and, after stop(), once the lease is given back). */
  async idle(): Promise<void> {
    await this.flight.idle();
    await this.stopping;
  }

  /** No more ticks; the pass running is awaited and the lease given back (also awaited by idle()). */
  stop(): Promise<void> {
    if (this.stopped && this.stopping) return this.stopping;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = this.flight
      .idle()
      .then(() => this.lease.release())
      .catch(this.onError);
    return this.stopping;
  }

  private async leased(): Promise<void> {
    this.lastRan = false;
    if (this.stopped || !(await this.lease.acquire())) return;
    this.lastRan = true;
    // Renewed while the pass runs, so that a pass longer than the lease is not taken over mid-way.
    let beating: Promise<unknown> = Promise.resolve();
    const beat = setInterval(
      () => {
        beating = beating.then(() => this.lease.acquire()).catch(this.onError);
      },
      Math.max(1, Math.floor(this.lease.ttlMs / 3)),
    );
    beat.unref();
    try {
      await this.pass();
    } catch (error) {
      this.onError(error);
    } finally {
      clearInterval(beat);
      // A renewal under way must not land after stop() gave the lease back.
      await beating;
    }
  }
}
