import type { Procedure } from "@qn/shared";

/** Builds a valid procedure with the given identity; the rest is filler that tests do not look at. */
export function procedure(code: string, name: string, extra: Partial<Procedure> = {}): Procedure {
  return {
    code,
    name,
    field: "Hộ tịch",
    level: "commune",
    agency: "Ủy ban nhân dân cấp xã",
    onlineLevel: 4,
    processingDays: 1,
    fees: [{ name: "Lệ phí", amount: 0 }],
    postal: true,
    documents: [{ name: "Tờ khai theo mẫu", copies: 1, required: true }],
    result: "",
    ...extra,
  };
}

/** A small catalogue with the near-duplicates citizens confuse. */
export const FIXTURE_CATALOGUE: Procedure[] = [
  procedure("1.001193", "Đăng ký khai sinh", { aliases: ["làm giấy khai sinh"], result: "Giấy khai sinh" }),
  procedure("1.004884", "Đăng ký lại khai sinh"),
  procedure("2.000528", "Đăng ký khai sinh có yếu tố nước ngoài", { level: "province", agency: "Sở Tư pháp" }),
  procedure("1.003583", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con"),
  procedure("1.000894", "Đăng ký kết hôn"),
  procedure("1.000656", "Đăng ký khai tử"),
  procedure("1.004873", "Xác nhận tình trạng hôn nhân"),
  procedure("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp", {
    field: "Chứng thực",
  }),
  procedure("1.004222", "Đăng ký thường trú", {
    field: "Đăng ký, quản lý cư trú",
    agency: "Công an cấp xã",
    processingDays: 7,
  }),
  procedure("1.004194", "Đăng ký tạm trú", { field: "Đăng ký, quản lý cư trú", agency: "Công an cấp xã" }),
  procedure("3.000346", "Cấp giấy phép lái xe", {
    field: "Đường bộ",
    level: "province",
    agency: "Công an tỉnh",
    onlineLevel: 3,
  }),
  procedure(
    "1.012345",
    "Đăng ký cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
    {
      field: "Đất đai",
      level: "province",
      onlineLevel: 3,
    },
  ),
];
