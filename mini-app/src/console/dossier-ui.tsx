import { STATE_LABELS } from "@qn/shared";

const CHIP: Record<number, string> = {
  1: "chip--new",
  2: "chip--run",
  3: "chip--closed",
  4: "chip--run",
  5: "chip--wait",
  6: "chip--wait",
  7: "chip--closed",
  8: "chip--closed",
  9: "chip--done",
  10: "chip--done",
};

export function StateChip({ state }: { state: number }) {
  return (
    <span className={`chip ${CHIP[state] ?? ""}`}>{STATE_LABELS[state as keyof typeof STATE_LABELS] ?? state}</span>
  );
}

export const CHANNEL_LABELS: Record<string, string> = {
  counter: "Trực tiếp",
  online: "Trực tuyến",
  postal: "Bưu chính công ích",
};

export const DELIVERY_LABELS: Record<string, string> = {
  counter: "Nhận tại bộ phận một cửa",
  online: "Nhận bản điện tử",
  post: "Gửi qua bưu chính",
};
