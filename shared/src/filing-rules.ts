/**
 * Who may file what, and how the result may come back: the rules that the mini-app's wizard offers, the bot server's
 * filing enforces and the portal API (`POST /portal-api/v1/dossiers`) enforces. One module, so that the three cannot
 * drift apart (docs/domain.md, "Service levels"). Plain functions without zod, so the wizard pays nothing for them.
 */

/** What the rules read of a procedure (a catalogue entry or a dossier's snapshot of it). */
export type FilingProcedure = {
  name: string;
  /** 2 = information and forms online, 3 = filed online, 4 = filed, paid and returned online (toàn trình). */
  onlineLevel: number;
  /** Whether the post (bưu chính công ích) may carry the result. */
  postal: boolean;
};

export type FilingChannel = "counter" | "online" | "postal";
export type ResultMethod = "counter" | "post" | "online";

/** The rules, each with a stable name, the field it is about and what a citizen reads when it is broken. */
export type FilingBreach =
  | { rule: "not-online"; path: "channel"; message: string }
  | { rule: "no-post-result"; path: "resultDelivery.method"; message: string }
  | { rule: "no-post-pickup"; path: "pickup"; message: string }
  | { rule: "no-online-result"; path: "resultDelivery.method"; message: string };

/** Level 3 and 4 procedures take dossiers filed online. */
export function acceptsOnlineFiling(procedure: FilingProcedure): boolean {
  return procedure.onlineLevel >= 3;
}

/** Whether a result may come back this way: at the counter always, by post if the procedure allows it, online at 4. */
export function allowsResultMethod(procedure: FilingProcedure, method: ResultMethod): boolean {
  switch (method) {
    case "counter":
      return true;
    case "post":
      return procedure.postal;
    case "online":
      return procedure.onlineLevel === 4;
  }
}

/** The ways the result may come back, in the order the wizard offers them. */
export function resultMethods(procedure: FilingProcedure): ResultMethod[] {
  return (["counter", "post", "online"] as const).filter((m) => allowsResultMethod(procedure, m));
}

/** What a citizen reads when the post may not carry a procedure's dossier. */
export const NO_POSTAL_PICKUP =
  "Thủ tục này không nhận hồ sơ qua bưu chính công ích: vui lòng mang bản gốc đến bộ phận một cửa";
export const NO_POSTAL_RESULT = "Thủ tục này không trả kết quả qua bưu điện";

/** The first rule a filing breaks, or null when it may be filed. */
export function filingBreach(
  procedure: FilingProcedure,
  filing: { channel: FilingChannel; resultMethod: ResultMethod; pickup?: boolean },
): FilingBreach | null {
  if (filing.channel === "online" && !acceptsOnlineFiling(procedure)) {
    return {
      rule: "not-online",
      path: "channel",
      message: `Thủ tục "${procedure.name}" chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp tại bộ phận một cửa.`,
    };
  }
  if (filing.resultMethod === "post" && !allowsResultMethod(procedure, "post")) {
    return {
      rule: "no-post-result",
      path: "resultDelivery.method",
      message: NO_POSTAL_RESULT,
    };
  }
  if (filing.pickup && !procedure.postal) {
    return { rule: "no-post-pickup", path: "pickup", message: NO_POSTAL_PICKUP };
  }
  if (filing.resultMethod === "online" && !allowsResultMethod(procedure, "online")) {
    return {
      rule: "no-online-result",
      path: "resultDelivery.method",
      message: "Thủ tục này chưa trả kết quả trực tuyến; chọn nhận tại bộ phận một cửa hoặc qua bưu điện",
    };
  }
  return null;
}
