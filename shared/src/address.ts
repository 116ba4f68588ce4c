import { z } from "zod";
import { line } from "./text/safe-text";

/** A Vietnamese address in Quảng Ninh: one of the communes (5-digit code) and the street part. */
export const CommuneCode = z.string().regex(/^\d{5}$/, "Mã xã, phường không hợp lệ");

export const Address = z.object({
  communeCode: CommuneCode,
  street: line()
    .trim()
    .min(1, "Cần nhập địa chỉ (số nhà, thôn, tổ)")
    .max(300, "địa chỉ (số nhà, thôn, tổ) tối đa 300 ký tự"),
});
export type Address = z.infer<typeof Address>;
