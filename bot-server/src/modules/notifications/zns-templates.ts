import {
  ZNS_KIND_LABELS,
  ZNS_NOTIFICATION_KINDS,
  type ZnsNotificationKind,
  type ZnsTemplate,
  type ZnsTemplateSetting,
} from "@qn/shared";
import type { Db } from "../../db/database";
import { ValidationError } from "../../errors/app-error";

export type TemplateChoice = { templateId: string; params: Record<string, string> };

/**
 * Which ZNS template carries each kind of status notification (docs/zalo.md §4). An administrator's choice is stored in the
 * database and read at sending time (so every process that delivers sees it at once); kinds without one use the
 * configured ZNS_TEMPLATES.
 */
export class ZnsTemplateStore {
  constructor(
    private readonly db: Db,
    private readonly configured: Record<string, TemplateChoice>,
  ) {}

  async forKind(kind: string): Promise<TemplateChoice | undefined> {
    const row = await this.db
      .selectFrom("zns_templates")
      .select(["template_id", "params"])
      .where("kind", "=", kind)
      .executeTakeFirst();
    if (row) return { templateId: row.template_id, params: JSON.parse(row.params) as Record<string, string> };
    return this.configured[kind];
  }

  /** Every kind that can go by ZNS, with what is in force and where it comes from. */
  async settings(): Promise<ZnsTemplateSetting[]> {
    const rows = await this.db.selectFrom("zns_templates").selectAll().execute();
    const stored = new Map(rows.map((r) => [r.kind, r]));
    return ZNS_NOTIFICATION_KINDS.map((kind) => {
      const row = stored.get(kind);
      const environment = (this.configured[kind] as ZnsTemplate | undefined) ?? null;
      const inForce = row
        ? { templateId: row.template_id, params: JSON.parse(row.params) as Record<string, string> }
        : environment;
      return {
        kind,
        label: ZNS_KIND_LABELS[kind],
        templateId: inForce?.templateId ?? null,
        params: (inForce?.params ?? {}) as ZnsTemplateSetting["params"],
        source: row ? "database" : environment ? "environment" : "none",
        environment,
        updatedAt: row?.updated_at ?? null,
        updatedBy: row?.updated_by ?? null,
      };
    });
  }

  /**
   * Replaces the stored mapping as a whole (kinds left out fall back to the configuration). A kind given without
   * `params` takes the configured parameters of that kind; without any, the request is refused.
   */
  async replace(
    templates: Partial<Record<ZnsNotificationKind, { templateId: string; params?: Record<string, string> }>>,
    by: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const rows = Object.entries(templates).map(([kind, t]) => {
      const params = t?.params ?? this.configured[kind]?.params;
      if (!params) {
        throw new ValidationError(
          `Mẫu ZNS không hợp lệ: templates.${kind}.params — Cần khai báo tham số của mẫu cho loại thông báo này`,
          [{ path: `templates.${kind}.params`, message: "Cần khai báo tham số của mẫu cho loại thông báo này" }],
        );
      }
      return {
        kind,
        template_id: t?.templateId ?? "",
        params: JSON.stringify(params),
        updated_by: by,
        updated_at: now,
      };
    });
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("zns_templates").execute();
      if (rows.length > 0) await trx.insertInto("zns_templates").values(rows).execute();
    });
  }
}
