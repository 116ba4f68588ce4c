import { PROVINCE_CODE } from "@qn/shared";
import type { OfficialActor } from "../auth/actor";

/**
 * Who answers a citizen handed off by the chatbot (issue 13, finding 8): what they write — a CCCD number, an address,
 * a complaint — is for the officials who handle them, not for every official of every unit.
 *
 * - **The hand-off's unit**: set when the citizen asks for an official, from what the thread knows of them: the unit
 *   of their latest dossier (the mini-app account Zalo links to the OA user), else the commune whose news they
 *   subscribed to, else the province (chatbot/conversations.ts). Its `official` and `hcc` accounts answer it.
 * - **The hand-off's assignee**: the one official it was routed to, whatever their unit.
 * - **The province's support desk** sees and answers every thread: administrators, and `official` / `hcc` accounts of
 *   the provincial unit "22" (the same people who read the whole province's reports, decision 0009).
 *
 * A thread one may not handle answers 404, as dossiers do (decision 0005), so its existence is not confirmed.
 * Volunteers answer none (domain.md §9; the router refuses them first).
 */
/** Volunteers help citizens file; answering the OA's citizens is for officials (docs/domain.md §9). */
export const SUPPORT_ROLES = ["official", "hcc", "admin"] as const;

export function isProvinceDesk(official: OfficialActor): boolean {
  if (official.role === "admin") return true;
  return (official.role === "official" || official.role === "hcc") && official.unitCode === PROVINCE_CODE;
}

export type HandOffOwner = { handoff_unit_code: string | null; handoff_assignee_id: number | null };

export function handles(official: OfficialActor, thread: HandOffOwner): boolean {
  if (official.role === "volunteer") return false;
  if (isProvinceDesk(official)) return true;
  return thread.handoff_assignee_id === official.id || thread.handoff_unit_code === official.unitCode;
}
