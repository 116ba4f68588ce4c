import { z } from "zod";

// zod's Vietnamese messages for anything the describer below does not word itself.
z.config(z.locales.vi());

const TYPE_NAMES: Record<string, string> = {
  string: "chuỗi ký tự",
  number: "số",
  boolean: "true hoặc false",
  array: "danh sách",
  object: "đối tượng",
  int: "số nguyên",
};

/** One zod issue in plain Vietnamese, for people who fix a request or a catalogue file. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "Thiếu giá trị bắt buộc";
      return `Sai kiểu dữ liệu: cần ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return `Giá trị phải là một trong: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? "Không được để trống" : `Tối thiểu ${String(issue.minimum)} ký tự`;
      if (issue.origin === "array") return `Cần ít nhất ${String(issue.minimum)} phần tử`;
      return `Giá trị tối thiểu là ${String(issue.minimum)}`;
    case "too_big":
      if (issue.origin === "string") return `Tối đa ${String(issue.maximum)} ký tự`;
      if (issue.origin === "array") return `Tối đa ${String(issue.maximum)} phần tử`;
      return `Giá trị tối đa là ${String(issue.maximum)}`;
    case "unrecognized_keys":
      return `Trường không được hỗ trợ: ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}

/** Issues as `{path, message}` pairs; `fallbackPath` names a value that is not inside an object. */
export function describeIssues(error: z.ZodError, fallbackPath = "(giá trị)"): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join(".") : fallbackPath,
    message: describeIssue(issue),
  }));
}
