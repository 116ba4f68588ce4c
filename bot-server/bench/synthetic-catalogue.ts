import type { Procedure } from "@qn/shared";

/**
 * Synthetic catalogues for benchmarks: N procedures built from the vocabulary of a real catalogue, so that term
 * frequencies, name lengths and near-duplicates look like the province's 1,795-procedure catalogue scaled up.
 * Deterministic for a given seed. Codes start with 4–9, which national codes (1.–3.) never use.
 */

const ACTIONS = [
  "Cấp",
  "Cấp lại",
  "Cấp đổi",
  "Điều chỉnh",
  "Gia hạn",
  "Thu hồi",
  "Đăng ký",
  "Đăng ký lại",
  "Xác nhận",
  "Công nhận",
  "Thẩm định",
  "Phê duyệt",
  "Chấp thuận",
  "Hỗ trợ",
  "Giải quyết",
  "Thông báo",
];
const QUALIFIERS = [
  "có yếu tố nước ngoài",
  "tại cấp xã",
  "tại cấp tỉnh",
  "đối với cá nhân",
  "đối với tổ chức",
  "cho người dưới 14 tuổi",
  "trong trường hợp bị mất",
  "do thay đổi thông tin",
  "theo quy trình rút gọn",
  "lần đầu",
  "khu vực biên giới",
  "trên địa bàn tỉnh",
];

/** Mulberry32: a small, fast, seedable PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCatalogue(base: readonly Procedure[], count: number, seed = 42): Procedure[] {
  if (base.length === 0) throw new Error("A base catalogue is needed for its vocabulary.");
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const out: Procedure[] = [];
  for (let i = 0; i < count; i++) {
    const template = pick(base);
    const other = pick(base);
    // Keep the subject of a real name, swap its action, sometimes borrow words of another, sometimes qualify it.
    const words = template.name.split(" ");
    const subject = words.slice(Math.min(2, words.length - 1)).join(" ");
    const borrowed = random() < 0.3 ? ` ${other.name.split(" ").slice(-3).join(" ")}` : "";
    const qualifier = random() < 0.5 ? ` ${pick(QUALIFIERS)}` : "";
    const name = `${pick(ACTIONS)} ${subject}${borrowed}${qualifier}`.replace(/\s+/g, " ").trim();
    const code = `${4 + Math.floor(i / 1_000_000)}.${String(i % 1_000_000).padStart(6, "0")}`;
    out.push({
      ...template,
      code,
      name,
      field: random() < 0.8 ? template.field : other.field,
      level: random() < 0.6 ? template.level : other.level,
      onlineLevel: pick([2, 3, 4] as const),
      aliases: random() < 0.2 ? (other.aliases ?? []).slice(0, 2) : [],
      sources: [],
    });
  }
  return out;
}
