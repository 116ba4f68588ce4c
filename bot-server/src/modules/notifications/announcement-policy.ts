import { type Audience, PROVINCE_CODE } from "@qn/shared";
import type { OfficialActor } from "../auth/actor";

/**
 * Who may do what to an announcement (issue 13, finding 2). One message reaches every follower of the OA, so no one
 * person may publish one alone, and a commune speaks to its own people only.
 *
 * - **The author's unit**: the author, and any other official (`official`, `hcc`, or `admin`) whose unit is the
 *   announcement's (its author's when written). They edit, submit and send it. Volunteers never compose (domain.md §9).
 * - **A province role**: an administrator, or an `official` / `hcc` of the provincial unit "22" (Trung tâm Phục vụ
 *   hành chính công tỉnh) — the same people who read the whole province's reports (decision 0009). They may read,
 *   approve, send, pause, resume and cancel any unit's announcement, and reach everyone; they edit only their own
 *   unit's announcements, like everyone else.
 * - **Audience**: a province role reaches anyone (everyone, any communes, topics, which have subscribers across the
 *   province); a commune's official only the subscribers of their own commune.
 * - **Approval**: by someone who may act on it and may reach its audience, and who is none of its editors (the author
 *   included; an administrator too).
 */
export function hasProvinceRole(official: OfficialActor): boolean {
  if (official.role === "admin") return true;
  return (official.role === "official" || official.role === "hcc") && official.unitCode === PROVINCE_CODE;
}

type Owned = { created_by: number; unit_code: string };

/** The author, or an official of the announcement's unit. */
export function ofItsUnit(official: OfficialActor, row: Owned): boolean {
  if (official.role === "volunteer") return false;
  return row.created_by === official.id || row.unit_code === official.unitCode;
}

/** Reads it, sends, pauses, resumes or cancels it: its unit, or a province role. */
export function mayManage(official: OfficialActor, row: Owned): boolean {
  return ofItsUnit(official, row) || hasProvinceRole(official);
}

export function mayReach(official: OfficialActor, audience: Audience): boolean {
  if (hasProvinceRole(official)) return true;
  return audience.kind === "commune" && audience.values.every((code) => code === official.unitCode);
}

export const AUDIENCE_REFUSED =
  "Thông báo tới mọi người, tới xã, phường khác hoặc theo chủ đề cần cán bộ cấp tỉnh (Trung tâm Phục vụ hành chính công " +
  "tỉnh) hoặc quản trị viên. Bạn gửi được cho người dân đăng ký nhận tin của đơn vị mình: chọn “Theo xã, phường” và " +
  "đơn vị của bạn.";

export const OWN_APPROVAL_REFUSED =
  "Người đã soạn hoặc sửa thông báo không tự phê duyệt được: cần một cán bộ khác của đơn vị hoặc cán bộ cấp tỉnh " +
  "phê duyệt.";
