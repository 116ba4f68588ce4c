import { ADMINISTRATIVE_UNITS, foldTokens } from "@qn/shared";
import { osaDistance } from "../procedures/search/fuzzy";
import { fromTelex } from "../procedures/search/query-parser";

/**
 * What a citizen's message to the OA asks for. Matching is on folded words (with or without diacritics), tolerates one
 * typo per word of four letters or more and telex typed without conversion. A question about a procedure is whatever
 * is not one of the fixed intents: the search engine answers it.
 */
export type Intent =
  | { kind: "dossier"; code: string }
  | { kind: "handoff" }
  | { kind: "subscribe"; topics: string[]; communes: string[] }
  | { kind: "unsubscribe"; topics: string[]; communes: string[]; all: boolean }
  | { kind: "guide"; topic: GuideTopic }
  | { kind: "greeting" }
  | { kind: "lookup-help" }
  | { kind: "question"; text: string };

export type GuideTopic = "howto" | "fees" | "address" | "hours" | "attach";

export const TOPICS: Record<string, { name: string; phrases: string[] }> = {
  "dich-vu-cong-moi": { name: "Dịch vụ công trực tuyến mới", phrases: ["dịch vụ công", "thủ tục mới", "dịch vụ mới"] },
  "lich-lam-viec": {
    name: "Lịch làm việc, nghỉ lễ",
    phrases: ["lịch làm việc", "lịch nghỉ", "nghỉ lễ", "giờ làm việc"],
  },
  "thanh-nien-tinh-nguyen": { name: "Hoạt động thanh niên tình nguyện", phrases: ["thanh niên", "tình nguyện"] },
  "an-sinh-xa-hoi": { name: "Chính sách an sinh xã hội", phrases: ["an sinh", "trợ cấp", "chính sách"] },
  "canh-bao-thien-tai": {
    name: "Cảnh báo thiên tai, thời tiết",
    phrases: ["thiên tai", "thời tiết", "mưa bão", "cơn bão", "lũ lụt", "cảnh báo"],
  },
};

// The random part has 4 digits, more on a day a flood widened it (records/dossier-code.ts); no digit may follow.
const DOSSIER_CODE = /([0-9A-Za-z]{1,5}(?:\.[0-9A-Za-z]{1,5}){1,4})-(\d{6})-(\d{4,8})(?!\d)/;

type Phrase = { words: string[] };
const phrases = (...list: string[]): Phrase[] => list.map((p) => ({ words: foldTokens(p) }));

const HANDOFF = phrases(
  "gặp cán bộ",
  "gặp người",
  "nói chuyện với cán bộ",
  "chat với cán bộ",
  "cần cán bộ",
  "cán bộ hỗ trợ",
  "hỗ trợ trực tiếp",
  "tư vấn viên",
  "gặp tổng đài viên",
  "nhân viên hỗ trợ",
);
const UNSUBSCRIBE = phrases(
  "hủy nhận tin",
  "hủy đăng ký nhận tin",
  "ngừng nhận tin",
  "không nhận tin",
  "hủy theo dõi",
  "bỏ theo dõi",
  "hủy nhận thông báo",
  "ngừng nhận thông báo",
  "không nhận thông báo",
);
const SUBSCRIBE = phrases(
  "đăng ký nhận tin",
  "nhận tin",
  "nhận thông báo",
  "theo dõi tin",
  "đăng ký nhận thông báo",
  "đăng ký theo dõi",
);
const GREETING = phrases("xin chào", "chào", "chào bạn", "hello", "hi", "alo", "menu", "bắt đầu", "trợ giúp", "giúp");
const LOOKUP = phrases("tra cứu hồ sơ", "tra cứu", "kiểm tra hồ sơ", "hồ sơ của tôi", "xem hồ sơ");
const GUIDES: [GuideTopic, Phrase[]][] = [
  [
    "howto",
    phrases("hướng dẫn", "nộp hồ sơ", "cách nộp hồ sơ", "nộp hồ sơ trực tuyến", "hướng dẫn nộp hồ sơ", "làm thế nào"),
  ],
  ["fees", phrases("lệ phí", "phí", "nộp phí", "thanh toán", "lệ phí bao nhiêu")],
  ["address", phrases("địa chỉ", "ở đâu", "nộp ở đâu", "bộ phận một cửa", "trung tâm hành chính công")],
  ["hours", phrases("giờ làm việc", "mấy giờ", "làm việc lúc nào", "thứ bảy có làm không")],
  ["attach", phrases("gửi ảnh", "gửi giấy tờ", "đính kèm", "chụp giấy tờ")],
];

/** Politeness and filler around a command, ignored when deciding that a message is only a command. */
const FILLER = new Set(foldTokens("cho tôi em mình muốn xin vui lòng ạ ơi với nhé được không ad admin bạn ơi của"));

function wordMatches(typed: string, wanted: string): boolean {
  if (typed === wanted) return true;
  const telex = fromTelex(typed);
  if (telex === wanted) return true;
  if (typed.length < 3 || wanted.length < 3) return false;
  // Three-letter words only forgive two swapped letters ("cna" for "can"); longer ones any single edit.
  if (wanted.length === 3) return typed.length === 3 && [...typed].sort().join("") === [...wanted].sort().join("");
  return osaDistance(typed, wanted, 1) <= 1 || osaDistance(telex, wanted, 1) <= 1;
}

/** Where `phrase` occurs in `words` (first index), tolerating typos; -1 when absent. */
function find(words: string[], phrase: Phrase): number {
  const n = phrase.words.length;
  for (let i = 0; i + n <= words.length; i++) {
    if (phrase.words.every((w, k) => wordMatches(words[i + k] as string, w))) return i;
  }
  return -1;
}

function matchAny(words: string[], list: Phrase[]): { at: number; length: number } | undefined {
  let best: { at: number; length: number } | undefined;
  for (const phrase of list) {
    const at = find(words, phrase);
    if (at >= 0 && (!best || phrase.words.length > best.length)) best = { at, length: phrase.words.length };
  }
  return best;
}

/** True when the words, once the matched phrase and polite filler are removed, say nothing else. */
function onlyThat(words: string[], match: { at: number; length: number }): boolean {
  return words.every((w, i) => (i >= match.at && i < match.at + match.length) || FILLER.has(w));
}

const COMMUNE_NAMES = ADMINISTRATIVE_UNITS.filter(
  (u) => u.type === "phuong" || u.type === "xa" || u.type === "dac-khu",
).map((u) => ({ code: u.code, words: foldTokens(u.name) }));

function targetsIn(words: string[]): { topics: string[]; communes: string[] } {
  const topics = Object.entries(TOPICS)
    .filter(([, t]) => t.phrases.some((p) => find(words, { words: foldTokens(p) }) >= 0))
    .map(([id]) => id);
  const communes = COMMUNE_NAMES.filter((c) => {
    const at = find(words, c);
    // "Hạ Long" alone must not match when the citizen wrote "Móng Cái 1": whole names only, digits exact.
    return at >= 0 && (words[at + c.words.length] === undefined || !/^\d+$/.test(words[at + c.words.length] as string));
  }).map((c) => c.code);
  return { topics, communes };
}

export function classify(text: string): Intent {
  const code = DOSSIER_CODE.exec(text);
  if (code) return { kind: "dossier", code: `${(code[1] as string).toUpperCase()}-${code[2]}-${code[3]}` };
  const words = foldTokens(text);
  if (words.length === 0) return { kind: "greeting" };
  if (matchAny(words, HANDOFF)) return { kind: "handoff" };
  if (matchAny(words, UNSUBSCRIBE)) {
    const targets = targetsIn(words);
    return { kind: "unsubscribe", ...targets, all: targets.topics.length === 0 && targets.communes.length === 0 };
  }
  const subscribe = matchAny(words, SUBSCRIBE);
  if (subscribe) return { kind: "subscribe", ...targetsIn(words) };
  const lookup = matchAny(words, LOOKUP);
  if (lookup && onlyThat(words, lookup)) return { kind: "lookup-help" };
  for (const [topic, list] of GUIDES) {
    const match = matchAny(words, list);
    if (match && onlyThat(words, match)) return { kind: "guide", topic };
  }
  const greeting = matchAny(words, GREETING);
  if (greeting && onlyThat(words, greeting)) return { kind: "greeting" };
  return { kind: "question", text };
}
