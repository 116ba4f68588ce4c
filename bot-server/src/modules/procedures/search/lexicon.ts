/**
 * What citizens type versus what the catalogue says. Written with diacritics for people; folded when loaded.
 *
 * - SYNONYMS: everyday words and abbreviations → the catalogue's wording. The citizen's own words stay in the query
 *   (they may match a procedure's aliases), the expansions are added as alternatives.
 * - FILLERS: words that carry the question, not the subject ("cần gì", "thế nào", "làm", "xin"): kept, but weighed
 *   lightly so that "làm giấy khai sinh cần những gì" is about "khai sinh".
 */

export const SYNONYMS: ReadonlyArray<readonly [phrases: readonly string[], expansions: readonly string[]]> = [
  // Đất đai
  [["sổ đỏ", "sổ hồng", "bìa đỏ", "sổ đất", "gcn qsdđ", "qsdđ", "gcnqsdđ"], ["giấy chứng nhận quyền sử dụng đất"]],
  [["sang tên sổ đỏ", "mua bán đất", "sang tên đất", "bán đất", "mua đất"], ["chuyển nhượng quyền sử dụng đất"]],
  [["tách sổ", "tách sổ đỏ", "chia đất", "tách đất"], ["tách thửa"]],
  [["gộp sổ", "gộp thửa", "nhập thửa"], ["hợp thửa"]],
  [["lên thổ cư", "chuyển thổ cư", "chuyển lên đất ở", "đất nông nghiệp lên đất ở"], ["chuyển mục đích sử dụng đất"]],
  [["cho con đất", "cho đất", "tặng đất"], ["tặng cho quyền sử dụng đất"]],
  [["chia thừa kế", "hưởng thừa kế", "đất thừa kế"], ["thừa kế"]],
  [["xoá thế chấp", "giải chấp"], ["xóa đăng ký thế chấp"]],
  [["vay ngân hàng", "thế chấp sổ đỏ", "cầm sổ đỏ"], ["đăng ký thế chấp"]],
  // Xây dựng
  [
    ["giấy phép xây nhà", "xin phép xây nhà", "xây nhà", "làm nhà", "cấp phép xây dựng", "gpxd"],
    ["giấy phép xây dựng nhà ở riêng lẻ"],
  ],
  [["sửa nhà", "cải tạo nhà"], ["giấy phép sửa chữa cải tạo"]],
  // Cư trú
  [
    ["hộ khẩu", "nhập hộ khẩu", "nhập khẩu", "chuyển hộ khẩu", "chuyển khẩu", "làm hộ khẩu", "sổ hộ khẩu"],
    ["đăng ký thường trú"],
  ],
  [["cắt khẩu", "cắt hộ khẩu", "xoá hộ khẩu", "xóa khẩu"], ["xóa đăng ký thường trú"]],
  [["tách khẩu", "tách hộ khẩu"], ["tách hộ"]],
  [["kt3", "đăng ký tạm trú", "khai báo tạm trú", "ở trọ", "thuê trọ", "nhà trọ"], ["đăng ký tạm trú"]],
  [["xác nhận cư trú", "giấy xác nhận cư trú", "ct07", "mẫu ct07"], ["thông tin về cư trú"]],
  [["báo lưu trú", "khách lưu trú", "khách ở qua đêm"], ["thông báo lưu trú"]],
  // Căn cước
  [
    [
      "cccd",
      "căn cước công dân",
      "làm căn cước",
      "làm cccd",
      "cmnd",
      "cmt",
      "chứng minh nhân dân",
      "chứng minh thư",
      "thẻ căn cước",
    ],
    ["cấp thẻ căn cước"],
  ],
  [["định danh điện tử", "vneid", "tài khoản định danh", "định danh mức 2"], ["định danh điện tử"]],
  // Hộ tịch
  [
    ["giấy khai sinh", "làm khai sinh", "khai sinh cho con", "khai sinh cho bé", "làm giấy khai sinh"],
    ["đăng ký khai sinh"],
  ],
  [["báo tử", "giấy chứng tử", "khai tử cho", "người chết", "người mất", "qua đời"], ["đăng ký khai tử"]],
  [["giấy đăng ký kết hôn", "làm giấy kết hôn", "đăng kí kết hôn", "lấy vợ", "lấy chồng", "cưới"], ["đăng ký kết hôn"]],
  [
    ["giấy độc thân", "xác nhận độc thân", "xác nhận tình trạng độc thân", "chứng nhận độc thân"],
    ["xác nhận tình trạng hôn nhân"],
  ],
  [["ly hôn", "ly dị"], ["ly hôn"]],
  [["đổi tên", "sửa tên", "sửa ngày sinh", "sửa sai giấy khai sinh", "sửa giấy khai sinh"], ["thay đổi cải chính"]],
  [["nhận con", "nhận cha", "nhận bố", "nhận mẹ", "xác nhận cha con"], ["nhận cha mẹ con"]],
  [["xin con nuôi", "nhận con nuôi", "làm con nuôi"], ["nuôi con nuôi"]],
  [["trích lục", "bản sao giấy khai sinh", "sao lục", "xin lại giấy khai sinh"], ["cấp bản sao trích lục hộ tịch"]],
  [
    ["mất giấy khai sinh", "làm lại giấy khai sinh"],
    ["đăng ký lại khai sinh", "cấp bản sao trích lục hộ tịch"],
  ],
  [["người nước ngoài", "lấy chồng trung quốc", "lấy vợ trung quốc", "nước ngoài"], ["có yếu tố nước ngoài"]],
  [["giám hộ", "người giám hộ"], ["đăng ký giám hộ"]],
  // Chứng thực
  [
    ["công chứng", "photo công chứng", "sao y", "sao y bản chính", "công chứng giấy tờ", "chứng thực giấy tờ"],
    ["chứng thực bản sao từ bản chính"],
  ],
  [["chứng thực chữ ký", "xác nhận chữ ký", "thị thực chữ ký"], ["chứng thực chữ ký"]],
  [["hợp đồng mua bán nhà", "hợp đồng mua bán đất", "chứng thực hợp đồng"], ["chứng thực hợp đồng giao dịch"]],
  [["di chúc"], ["chứng thực di chúc"]],
  // Tư pháp
  [["lý lịch", "xin lý lịch", "lý lịch tư pháp", "llpt", "lltp", "phiếu lý lịch"], ["cấp phiếu lý lịch tư pháp"]],
  // Giao thông
  [
    ["bằng lái", "bằng lái xe", "gplx", "bằng xe máy", "bằng ô tô", "bằng a1", "bằng b2", "bằng lái ô tô"],
    ["giấy phép lái xe"],
  ],
  [["đổi bằng", "đổi bằng lái", "bằng lái hết hạn", "đổi gplx"], ["đổi giấy phép lái xe"]],
  [["mất bằng lái", "mất bằng", "làm lại bằng lái"], ["cấp lại giấy phép lái xe"]],
  [["biển số", "đăng ký xe máy", "đăng ký ô tô", "đăng ký xe mới", "cà vẹt", "giấy tờ xe"], ["đăng ký xe"]],
  [["sang tên xe", "mua xe cũ", "bán xe"], ["sang tên xe"]],
  // Xuất nhập cảnh
  [["hộ chiếu", "passport", "làm hộ chiếu"], ["cấp hộ chiếu phổ thông"]],
  [["giấy thông hành", "sang trung quốc", "đi trung quốc", "qua đông hưng"], ["giấy thông hành"]],
  // Kinh doanh
  [
    [
      "giấy phép kinh doanh",
      "đăng ký kinh doanh",
      "mở cửa hàng",
      "mở quán",
      "mở tiệm",
      "kinh doanh cá thể",
      "hộ kinh doanh cá thể",
      "đkkd",
      "hkd",
    ],
    ["đăng ký thành lập hộ kinh doanh"],
  ],
  [["đóng cửa hàng", "nghỉ kinh doanh", "dừng kinh doanh"], ["chấm dứt hoạt động hộ kinh doanh"]],
  [["tạm nghỉ kinh doanh", "tạm dừng kinh doanh"], ["tạm ngừng kinh doanh"]],
  [["mở công ty", "lập công ty", "thành lập công ty"], ["đăng ký thành lập doanh nghiệp"]],
  // Xã hội, lao động
  [["tiền tuất", "mai táng phí", "tiền mai táng", "chi phí ma chay", "tiền ma chay"], ["hỗ trợ chi phí mai táng"]],
  [
    ["người già", "người cao tuổi", "trợ cấp người già", "tiền người già", "lương người già", "trợ cấp hàng tháng"],
    ["trợ cấp xã hội hàng tháng"],
  ],
  [["hộ nghèo", "sổ hộ nghèo", "hộ cận nghèo", "xin hộ nghèo"], ["hộ nghèo hộ cận nghèo"]],
  [["tàn tật", "người tàn tật", "giấy khuyết tật", "giám định khuyết tật"], ["xác định mức độ khuyết tật"]],
  [["thất nghiệp", "bảo hiểm thất nghiệp", "bhtn", "mất việc", "nghỉ việc"], ["trợ cấp thất nghiệp"]],
  [["giấy phép lao động", "work permit", "người nước ngoài làm việc"], ["giấy phép lao động"]],
  [["thẻ bhyt", "bhyt", "thẻ bảo hiểm y tế", "bảo hiểm y tế"], ["bảo hiểm y tế"]],
  [["người có công", "thương binh", "liệt sĩ", "gia đình liệt sĩ"], ["người có công"]],
  // Giáo dục
  [["chuyển trường", "xin chuyển trường", "chuyển trường cho con"], ["chuyển trường"]],
  [
    ["bằng tốt nghiệp", "sao bằng", "bản sao bằng", "mất bằng tốt nghiệp", "bản sao bằng tốt nghiệp"],
    ["bản sao văn bằng chứng chỉ"],
  ],
  [["sửa bằng", "sai thông tin bằng"], ["chỉnh sửa nội dung văn bằng"]],
  // Y tế
  [["chứng chỉ hành nghề", "cchn"], ["chứng chỉ hành nghề"]],
  // Khiếu nại
  [["khiếu nại", "khiếu kiện", "kiện"], ["giải quyết khiếu nại"]],
  [["tố cáo", "tố giác"], ["giải quyết tố cáo"]],
];

/** Question words and politeness that carry no subject: their weight in a query. */
export const FILLERS: ReadonlyArray<readonly [phrase: string, weight: number]> = [
  ["cần những gì", 0.05],
  ["cần giấy tờ gì", 0.05],
  ["cần gì", 0.05],
  ["như thế nào", 0.05],
  ["thế nào", 0.05],
  ["làm sao", 0.05],
  ["làm thế nào", 0.05],
  ["ở đâu", 0.05],
  ["bao nhiêu", 0.05],
  ["bao lâu", 0.05],
  ["mất bao lâu", 0.05],
  ["hết bao nhiêu", 0.05],
  ["được không", 0.05],
  ["có được không", 0.05],
  ["cho hỏi", 0.05],
  ["xin hỏi", 0.05],
  ["hướng dẫn", 0.2],
  ["thủ tục", 0.2],
  ["hồ sơ", 0.25],
  ["giấy tờ", 0.25],
  ["ntn", 0.05],
  ["gì", 0.05],
  ["ạ", 0.05],
  ["ơi", 0.05],
  ["nhé", 0.05],
  ["với", 0.1],
  ["giúp", 0.1],
  ["tôi", 0.1],
  ["mình", 0.1],
  ["em", 0.2],
  ["muốn", 0.1],
  ["cần", 0.15],
  ["thì", 0.1],
  ["là", 0.1],
  ["phải", 0.15],
  ["không", 0.2],
  ["ko", 0.1],
  ["làm", 0.3],
  ["xin", 0.3],
  ["đi", 0.3],
  ["nhà mình", 0.2],
  // "for my child/mother…": who the procedure is for, not which procedure.
  ["cho con", 0.25],
  ["cho bé", 0.2],
  ["cho cháu", 0.2],
  ["cho mẹ", 0.2],
  ["cho bố", 0.2],
  ["cho vợ", 0.2],
  ["cho chồng", 0.2],
  ["cho gia đình", 0.2],
  ["của tôi", 0.1],
  ["nhà tôi", 0.2],
  ["của", 0.3],
  ["và", 0.3],
  ["cho", 0.5],
  ["có", 0.5],
  ["ở", 0.4],
  ["mới", 0.6],
];
