import { type DossierState, RUNNING_STATES, vietnamDate } from "@qn/shared";
import { LeasedTimer, type LeasedTimerOptions } from "../../background/lease";
import type { Db } from "../../db/database";
import type { Logger } from "../../logger";
import type { CalendarService } from "../calendar/calendar.service";
import type { NotificationPlanner } from "./notification-planner";

const EVERY_MS = 10 * 60_000;

/**
 * Tells citizens when a running dossier is due on the next working day, and when it is overdue. Runs at start and
 * every ten minutes, in one instance at a time (the lease `deadline-scanner`, decision 0021); each (dossier, due date,
 * kind) is notified once, whoever runs the scan.
 */
export class DeadlineScanner {
  private readonly timer: LeasedTimer;

  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    private readonly planner: NotificationPlanner,
    private readonly onPlanned: () => void,
    private readonly logger: Logger,
    lease: Omit<LeasedTimerOptions, "everyMs"> = {},
  ) {
    this.timer = new LeasedTimer(
      db,
      "deadline-scanner",
      () => this.scan(),
      { everyMs: EVERY_MS, ...lease },
      (error) => this.logger.error({ err: error }, "deadline scan failed"),
    );
  }

  start(): void {
    this.timer.start();
  }

  /** No more scans here; the lease is given back (idle() awaits it). */
  stop(): Promise<void> {
    return this.timer.stop();
  }

  idle(): Promise<void> {
    return this.timer.idle();
  }

  /** What the timer runs: a scan if this instance holds the lease (or takes it); true when it scanned. */
  tick(): Promise<boolean> {
    return this.timer.tick();
  }

  async scan(now: Date = new Date()): Promise<number> {
    const today = vietnamDate(now);
    const soon = (await this.calendar.calendar()).addWorkingDays(today, 1);
    const rows = await this.db
      .selectFrom("dossiers")
      .select(["id", "code", "citizen_id", "procedure_snapshot", "state", "due_date", "missing_documents", "fees_due"])
      .where("state", "in", [...RUNNING_STATES])
      .where("due_date", "is not", null)
      .where("due_date", "<=", soon)
      .where("citizen_id", "is not", null)
      .execute();
    let planned = 0;
    for (const row of rows) {
      const kind = (row.due_date as string) < today ? "dossier.overdue" : "dossier.due-soon";
      await this.db.transaction().execute((trx) =>
        this.planner.onDeadline(trx, kind, {
          id: row.id,
          code: row.code,
          citizenId: row.citizen_id,
          procedureName: (JSON.parse(row.procedure_snapshot) as { name: string }).name,
          state: row.state as DossierState,
          dueDate: row.due_date,
          missingDocuments: JSON.parse(row.missing_documents),
          feesDue: row.fees_due,
        }),
      );
      planned++;
    }
    if (planned > 0) this.onPlanned();
    return planned;
  }
}
