import type { Procedure, ProcedureField, ProcedureSearchQuery, ProcedureSearchResult } from "@qn/shared";
import { ProcedureNotFoundError } from "./procedure.errors";
import type { ProcedureRepository } from "./procedure.repository";
import { ProcedureSearchIndex } from "./search/search-index";

/**
 * The catalogue as the API sees it. Searches run on an in-memory index rebuilt whenever the catalogue revision in the
 * database moves, so an import by another process (`npm run catalogue:import`) is visible without a restart.
 */
export class ProcedureService {
  private index: ProcedureSearchIndex<Procedure> = ProcedureSearchIndex.build([]);
  private revision = -1;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly repository: ProcedureRepository) {}

  /** Rebuilds the index if the catalogue changed since it was built. Concurrent callers share one rebuild. */
  async refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      const current = await this.repository.revision();
      if (current === this.revision) return;
      const records = await this.repository.all();
      this.index = ProcedureSearchIndex.build(records);
      this.revision = current;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async search(query: ProcedureSearchQuery): Promise<ProcedureSearchResult> {
    await this.refresh();
    const { hits, total } = this.index.search(query);
    return {
      total,
      items: hits.map(({ item }) => ({
        code: item.code,
        name: item.name,
        field: item.field,
        level: item.level,
        agency: item.agency,
        onlineLevel: item.onlineLevel,
        processingDays: item.processingDays,
        postal: item.postal,
      })),
    };
  }

  /** The best matches with their scores (the chatbot decides from the gap whether one answer is clear). */
  async scored(q: string, limit: number): Promise<{ code: string; score: number }[]> {
    await this.refresh();
    return this.index.search({ q, limit, offset: 0 }).hits.map((h) => ({ code: h.item.code, score: h.score }));
  }

  async get(code: string): Promise<Procedure> {
    await this.refresh();
    const procedure = this.index.getByCode(code);
    if (!procedure) throw new ProcedureNotFoundError(code);
    return procedure;
  }

  async fields(): Promise<ProcedureField[]> {
    await this.refresh();
    const counts = new Map<string, number>();
    for (const p of this.index.docs) counts.set(p.field, (counts.get(p.field) ?? 0) + 1);
    const collator = new Intl.Collator("vi");
    return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => collator.compare(a.name, b.name));
  }
}
