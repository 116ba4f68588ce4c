import { z } from "zod";

/**
 * MaHoSo: `{agency code}-{yyMMdd}-{random digits}` (docs/domain.md §5). Four digits as the national form has them; more
 * only on a day when a unit's four-digit numbers are nearly all taken, so that a flood cannot exhaust the day.
 */
export const DossierCode = z.string().regex(/^[0-9A-Z.]{3,40}-\d{6}-\d{4,8}$/, "Mã hồ sơ không hợp lệ");
