/**
 * Amounts on the e-receipt (biên lai): in figures as Vietnamese write them (`10.000 đ`) and in words ("Bằng chữ:
 * Mười nghìn đồng"), as Nghị định 11/2020/NĐ-CP asks a receipt to state the amount both ways.
 *
 * The words follow the usual northern reading used on invoices: "mười" for 10–19, "mươi" after 2–9, "mốt" for a 1
 * after "mươi" (21 "hai mươi mốt", but 11 "mười một"), "lăm" for a 5 after a ten (15 "mười lăm", 25 "hai mươi lăm",
 * but 105 "một trăm linh năm"), "linh" for a missing ten (1.005 "một nghìn không trăm linh năm") and "không trăm"
 * for a missing hundred inside a larger number. Groups of three digits are read with nghìn, triệu, tỷ; above a
 * thousand billion the tỷ repeats ("một nghìn tỷ").
 */

const DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"] as const;
const GROUPS = ["", "nghìn", "triệu"] as const;
const BILLION = 1_000_000_000;

function digit(d: number): string {
  return DIGITS[d] ?? "";
}

/** One group of three digits (1–999). `full` reads its missing hundreds and tens ("không trăm linh năm"). */
function groupWords(n: number, full: boolean): string[] {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const ones = n % 10;
  const words: string[] = [];
  if (hundreds > 0 || full) words.push(digit(hundreds), "trăm");
  if (tens === 0) {
    if (ones > 0 && words.length > 0) words.push("linh");
  } else if (tens === 1) {
    words.push("mười");
  } else {
    words.push(digit(tens), "mươi");
  }
  if (ones > 0) {
    if (ones === 1 && tens >= 2) words.push("mốt");
    else if (ones === 5 && tens >= 1) words.push("lăm");
    else words.push(digit(ones));
  }
  return words;
}

/** 1–999,999,999; `full` when a larger part stands before it. */
function belowBillion(n: number, full: boolean): string[] {
  const words: string[] = [];
  for (let g = 2; g >= 0; g--) {
    const scale = 1000 ** g;
    const part = Math.floor(n / scale) % 1000;
    if (part === 0) continue;
    words.push(...groupWords(part, full || words.length > 0));
    const name = GROUPS[g];
    if (name) words.push(name);
  }
  return words;
}

function numberWords(n: number, full: boolean): string[] {
  if (n >= BILLION) {
    const head = numberWords(Math.floor(n / BILLION), full);
    const rest = n % BILLION;
    return [...head, "tỷ", ...(rest > 0 ? belowBillion(rest, true) : [])];
  }
  return belowBillion(n, full);
}

/** An amount in đồng, in words, capitalised: 1005 → "Một nghìn không trăm linh năm đồng"; 0 → "Không đồng". */
export function vndInWords(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`An amount in đồng is a whole number from 0: ${amount}`);
  }
  const words = amount === 0 ? ["không"] : numberWords(amount, false);
  const text = `${words.join(" ")} đồng`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An amount in figures, `10.000 đ`: the one formatter, in @qn/shared. */
export { formatVnd } from "@qn/shared";
