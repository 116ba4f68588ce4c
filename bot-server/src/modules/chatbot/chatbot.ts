import {
  type DossierState,
  findUnit,
  miniAppLink,
  normalisePhone,
  ONLINE_LEVEL_LABELS,
  PROCEDURE_LEVEL_LABELS,
  type Procedure,
  STATE,
  STATE_LABELS,
} from "@qn/shared";
import type { OaButton, OaMessage, OaMessenger } from "../../clients/zalo/messages";
import type { Db } from "../../db/database";
import { type LookupLimits, lookupLimitedMessage } from "../dossiers/lookup-limits";
import type { ProcedureService } from "../procedures/procedure.service";
import type { PortalGateway } from "../records/gateway";
import type { InboundEvent } from "../webhook/webhook-inbox";
import type { ConversationStore } from "./conversations";
import { classify, type GuideTopic, type Intent, TOPICS } from "./intents";

export type ChatbotOptions = {
  miniAppId: string;
  handoffHours: number;
  /** The public lookup's limits, shared with GET /api/lookup (issue 13, finding 6). */
  lookups: LookupLimits;
};

const vnd = new Intl.NumberFormat("vi-VN");
/** How far ahead of the second the first result must score for the bot to answer with its details. */
const CLEAR_LEAD = 1.4;
const dateVi = (iso: string) => iso.split("-").reverse().join("/");

/**
 * The Official Account's chatbot: it answers in Vietnamese, by consultation messages (the citizen just wrote, so the
 * window is open). Every inbound event records the interaction time first.
 */
export class Chatbot {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationStore,
    private readonly procedures: ProcedureService,
    private readonly portal: PortalGateway,
    private readonly messenger: OaMessenger,
    private readonly options: ChatbotOptions,
  ) {}

  async handle(event: InboundEvent): Promise<"processed" | "ignored"> {
    if (!event.userId) return "ignored";
    const userId = event.userId;
    await this.conversations.touch(userId, event.appUserId, event.at);
    switch (event.name) {
      case "follow":
        await this.conversations.setFollowed(userId, true, event.at);
        await this.reply(userId, this.welcome());
        return "processed";
      case "unfollow":
        await this.conversations.setFollowed(userId, false, event.at);
        return "processed";
      case "user_send_text":
      case "anonymous_send_text": {
        const text = (event.body.message as { text?: unknown } | undefined)?.text;
        if (typeof text !== "string") return "ignored";
        // Handed off: officials answer; the bot stays silent (the message is kept for them).
        if (await this.conversations.isHandedOff(userId, event.at)) return "processed";
        await this.answer(userId, event.appUserId, classify(text), event.at);
        return "processed";
      }
      case "user_send_image":
      case "user_send_file":
        if (await this.conversations.isHandedOff(userId, event.at)) return "processed";
        await this.reply(userId, this.guide("attach"));
        return "processed";
      case "user_submit_info": {
        const info = (event.body.info ?? {}) as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
        const address = [info.address, info.ward, info.district, info.city].map(str).filter(Boolean).join(", ");
        await this.conversations.saveSharedInfo(
          userId,
          {
            ...(str(info.name) ? { name: str(info.name) } : {}),
            ...(str(info.phone) && normalisePhone(str(info.phone) as string)
              ? { phone: normalisePhone(str(info.phone) as string) }
              : {}),
            ...(address ? { address } : {}),
          },
          event.at,
        );
        await this.reply(userId, {
          text: "Cảm ơn bạn đã chia sẻ thông tin. Thông tin chỉ dùng để hỗ trợ bạn làm thủ tục và liên hệ khi cần.",
        });
        return "processed";
      }
      case "user_send_sticker":
      case "user_send_gif":
      case "user_send_location":
      case "user_send_link":
      case "user_send_audio":
      case "user_send_video":
      case "user_send_business_card":
        if (await this.conversations.isHandedOff(userId, event.at)) return "processed";
        await this.reply(userId, this.fallback());
        return "processed";
      default:
        // Receipts, echoes of the OA's own messages and unknown events: recorded, nothing to answer.
        return "ignored";
    }
  }

  private async answer(userId: string, appUserId: string | null, intent: Intent, at: Date): Promise<void> {
    switch (intent.kind) {
      case "dossier":
        return this.reply(userId, await this.dossierStatus(intent.code, userId, appUserId));
      case "handoff":
        await this.conversations.handOff(userId, at, this.options.handoffHours, null);
        return this.reply(userId, {
          text:
            "Đã chuyển cuộc trò chuyện tới cán bộ hỗ trợ. Cán bộ sẽ trả lời bạn trong giờ hành chính. " +
            `Trong thời gian này trợ lý tự động tạm dừng (tối đa ${this.options.handoffHours} giờ).`,
        });
      case "subscribe":
        return this.reply(userId, await this.subscribe(userId, intent.topics, intent.communes, at));
      case "unsubscribe": {
        const removed = intent.all
          ? await this.conversations.unsubscribe(userId, "all", [])
          : (await this.conversations.unsubscribe(userId, "topic", intent.topics)) +
            (await this.conversations.unsubscribe(userId, "commune", intent.communes));
        return this.reply(userId, {
          text:
            removed > 0
              ? intent.all
                ? "Bạn đã hủy nhận mọi thông báo. Nhắn “đăng ký nhận tin” khi muốn nhận lại."
                : "Đã hủy nhận tin theo yêu cầu của bạn."
              : "Bạn chưa đăng ký nhận mục tin này.",
        });
      }
      case "guide":
        return this.reply(userId, this.guide(intent.topic));
      case "greeting":
        return this.reply(userId, this.welcome());
      case "lookup-help":
        return this.reply(userId, {
          text: "Để tra cứu, bạn gửi mã hồ sơ ghi trên giấy hẹn, ví dụ: 06652.H49-261120-0001.",
          buttons: [{ title: "Hồ sơ của tôi", kind: "url", url: this.link("dossiers", "") }],
        });
      case "question":
        return this.reply(userId, await this.procedureAnswer(intent.text));
    }
  }

  private async dossierStatus(code: string, userId: string, appUserId: string | null): Promise<OaMessage> {
    // The Zalo user is the source here (every message reaches us from Zalo's addresses).
    const admission = await this.options.lookups.admit(`zalo:${userId}`, code);
    if (!admission.admitted) return { text: lookupLimitedMessage(admission.retryMinutes) };
    const record = await this.portal.get(code);
    if (!record) {
      return { text: `Không tìm thấy hồ sơ mã ${code}. Bạn kiểm tra lại mã trên giấy hẹn giúp nhé.` };
    }
    const owner =
      appUserId !== null &&
      record.citizenId !== null &&
      (await this.db
        .selectFrom("citizens")
        .select("id")
        .where("zalo_id", "=", appUserId)
        .where("id", "=", record.citizenId)
        .executeTakeFirst()) !== undefined;
    const due = record.dueDate
      ? `\nHẹn trả kết quả: ${dateVi(record.dueDate)}${record.overdue ? " (đã quá hạn)" : ""}`
      : "";
    if (!owner) {
      // What the public lookup shows anyone holding the code: no name, no time of filing.
      return {
        text:
          `Hồ sơ ${code}\nThủ tục: ${record.procedure.name}\nTrạng thái: ${record.stateLabel}${due}\n\n` +
          "Người nộp đăng nhập mini-app bằng tài khoản đã nộp để xem chi tiết.",
        buttons: [{ title: "Mở Dịch vụ công", kind: "url", url: this.link("dossier", code) }],
      };
    }
    const next = nextStep(record.state, record.missingDocuments, record.feesDue);
    // Waiting for the fees: the button opens the payment screen itself (issue 14).
    const button =
      record.state === STATE.PAYMENT_REQUESTED
        ? { title: "Thanh toán ngay", kind: "url" as const, url: this.link("pay", code) }
        : { title: "Xem hồ sơ", kind: "url" as const, url: this.link("dossier", code) };
    return {
      text: `Hồ sơ ${code}\nThủ tục: ${record.procedure.name}\nTrạng thái: ${record.stateLabel}${due}\n${next}`,
      buttons: [button],
    };
  }

  private async procedureAnswer(text: string): Promise<OaMessage> {
    const result = await this.procedures.search({ q: text, limit: 3, offset: 0 });
    if (result.items.length === 0) return this.fallback();
    const items = result.items.map((p) => ({
      title: p.name,
      subtitle: `${PROCEDURE_LEVEL_LABELS[p.level]} · ${ONLINE_LEVEL_LABELS[p.onlineLevel].decree42}`,
      url: this.link("procedure", p.code),
    }));
    const best =
      result.total === 1 || (await this.clearBest(text, result.items[0]?.code)) ? result.items[0] : undefined;
    if (!best) {
      return {
        text: "Mình tìm được các thủ tục sau, bạn chọn thủ tục phù hợp để xem giấy tờ, lệ phí và nộp trực tuyến:",
        items,
        buttons: [{ title: "Gặp cán bộ", kind: "query", payload: "gặp cán bộ" }],
      };
    }
    const procedure = await this.procedures.get(best.code);
    return {
      text: summary(procedure),
      items,
      buttons: [{ title: "Nộp hồ sơ", kind: "url", url: this.link("procedure", procedure.code) }],
    };
  }

  /** A clear best match: the first result scores well ahead of the second (1.4×). */
  private async clearBest(text: string, code: string | undefined): Promise<boolean> {
    const scored = await this.procedures.scored(text, 2);
    return (
      scored.length > 0 &&
      scored[0]?.code === code &&
      (scored.length === 1 || (scored[0]?.score ?? 0) >= CLEAR_LEAD * (scored[1]?.score ?? 0))
    );
  }

  private async subscribe(userId: string, topics: string[], communes: string[], at: Date): Promise<OaMessage> {
    if (topics.length === 0 && communes.length === 0) {
      return {
        text: "Bạn muốn nhận tin về chủ đề nào? Chọn bên dưới, hoặc nhắn “đăng ký nhận tin” kèm tên xã, phường của bạn.",
        buttons: Object.values(TOPICS)
          .slice(0, 5)
          .map((t): OaButton => ({ title: t.name, kind: "query", payload: `đăng ký nhận tin ${t.name}` })),
      };
    }
    await this.conversations.subscribe(userId, "topic", topics, at);
    await this.conversations.subscribe(userId, "commune", communes, at);
    const names = [...topics.map((t) => TOPICS[t]?.name ?? t), ...communes.map((c) => `tin của ${unitName(c)}`)];
    return { text: `Đã đăng ký nhận tin: ${names.join("; ")}. Nhắn “hủy nhận tin” bất cứ lúc nào để ngừng.` };
  }

  private welcome(): OaMessage {
    return {
      text:
        "Chào mừng bạn đến với Dịch vụ công Quảng Ninh trên Zalo! Bạn có thể hỏi về thủ tục (ví dụ: “làm giấy khai sinh cần gì”), " +
        "gửi mã hồ sơ để tra cứu, hoặc nhắn “gặp cán bộ” để được hỗ trợ trực tiếp.",
      buttons: [
        { title: "Tìm thủ tục, nộp hồ sơ", kind: "url", url: this.link("home", "") },
        { title: "Tra cứu hồ sơ", kind: "query", payload: "tra cứu hồ sơ" },
        { title: "Hướng dẫn nộp hồ sơ", kind: "query", payload: "hướng dẫn" },
        { title: "Gặp cán bộ", kind: "query", payload: "gặp cán bộ" },
      ],
    };
  }

  private guide(topic: GuideTopic): OaMessage {
    const open: OaButton = { title: "Mở Dịch vụ công", kind: "url", url: this.link("home", "") };
    const texts: Record<GuideTopic, string> = {
      howto:
        "Nộp hồ sơ trực tuyến trong 5 bước:\n1. Mở mini-app Dịch vụ công Quảng Ninh, tìm thủ tục.\n2. Điền tờ khai.\n" +
        "3. Chụp từng giấy tờ theo danh sách.\n4. Chọn cách nhận kết quả: tại bộ phận một cửa, qua bưu điện hoặc trực tuyến.\n" +
        "5. Gửi hồ sơ và giữ mã hồ sơ để tra cứu.",
      fees:
        "Phí, lệ phí của từng thủ tục có trong trang chi tiết thủ tục trên mini-app. Nhiều khoản được giảm khi nộp trực tuyến. " +
        "Bạn nộp phí khi cán bộ thông báo số tiền cần nộp.",
      address:
        "Hồ sơ cấp xã nộp tại bộ phận một cửa của UBND xã, phường, đặc khu nơi bạn cư trú; hồ sơ cấp tỉnh tại Trung tâm Phục vụ " +
        "hành chính công tỉnh Quảng Ninh. Nộp trực tuyến qua mini-app thì không cần đến trụ sở.",
      hours:
        "Bộ phận một cửa làm việc theo giờ hành chính các ngày làm việc (trừ ngày nghỉ lễ). Nộp trực tuyến qua mini-app được " +
        "cả ngoài giờ; hồ sơ được tiếp nhận vào ngày làm việc tiếp theo.",
      attach:
        "Trợ lý chưa nhận giấy tờ qua tin nhắn. Bạn mở mini-app, chọn thủ tục và chụp từng giấy tờ ở bước “Giấy tờ” để đính kèm vào hồ sơ.",
    };
    return { text: texts[topic], buttons: [open, { title: "Gặp cán bộ", kind: "query", payload: "gặp cán bộ" }] };
  }

  private fallback(): OaMessage {
    return {
      text:
        "Xin lỗi, trợ lý chưa hiểu ý bạn. Bạn có thể hỏi về một thủ tục (ví dụ: “đăng ký tạm trú”), gửi mã hồ sơ, " +
        "hoặc chọn một mục bên dưới.",
      buttons: this.welcome().buttons ?? [],
    };
  }

  /** Deep links into the mini-app (the one format: `miniAppLink` in shared). */
  private link(kind: "procedure" | "dossier" | "dossiers" | "home" | "pay", value: string): string {
    const appId = this.options.miniAppId;
    if (kind === "home") return miniAppLink(appId, { kind: "home" });
    if (kind === "pay") return miniAppLink(appId, { kind: "page", page: "pay", code: value });
    if (kind === "dossiers") return miniAppLink(appId, { kind: "page", page: "dossiers" });
    return miniAppLink(appId, { kind, code: value });
  }

  private async reply(userId: string, message: OaMessage): Promise<void> {
    await this.messenger.send("cs", userId, message);
  }
}

function unitName(code: string): string {
  return findUnit(code)?.fullName ?? code;
}

function summary(p: Procedure): string {
  const days =
    p.processingDays === null
      ? "đang cập nhật"
      : p.processingDays === 0
        ? "trong ngày"
        : `${p.processingDays} ngày làm việc`;
  const fees =
    p.fees.length === 0
      ? "đang cập nhật"
      : p.fees
          .slice(0, 3)
          .map(
            (f) =>
              `${f.name}: ${f.amount === null ? "theo quy định của tỉnh" : f.amount === 0 ? "miễn phí" : `${vnd.format(f.amount)} đ`}`,
          )
          .join("; ");
  const documents = p.documents
    .filter((d) => d.required)
    .slice(0, 5)
    .map((d) => `• ${d.name}`)
    .join("\n");
  return (
    `${p.name} (${PROCEDURE_LEVEL_LABELS[p.level]})\nThời hạn: ${days}\nLệ phí: ${fees}` +
    (documents ? `\nGiấy tờ cần có:\n${documents}` : "")
  );
}

function nextStep(state: DossierState, missing: string[], fees: number | null): string {
  switch (state) {
    case 1:
      return "Hồ sơ đang chờ cán bộ tiếp nhận.";
    case 2:
    case 4:
      return "Hồ sơ đang được xử lý. Bạn sẽ nhận tin khi có kết quả.";
    case 5:
      return `Bạn cần bổ sung: ${missing.join("; ") || "giấy tờ theo yêu cầu"}. Mở mini-app để gửi bổ sung.`;
    case 6:
      return `Bạn cần nộp phí, lệ phí${fees ? ` ${vnd.format(fees)} đ` : ""} để hồ sơ được tiếp tục xử lý. Bạn có thể thanh toán trực tuyến ngay trong mini-app.`;
    case 9:
      return "Đã có kết quả. Bạn nhận kết quả theo hình thức đã chọn khi nộp hồ sơ.";
    case 10:
      return "Đã trả kết quả. Mời bạn đánh giá mức độ hài lòng trong mini-app.";
    default:
      return `Hồ sơ đã kết thúc (${STATE_LABELS[state]}).`;
  }
}
