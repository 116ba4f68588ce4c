import { createElement, useCallback } from "react";
import { useSnackbar } from "zmp-ui";
import { Icon } from "../icons";

/* zmp-ui's default snackbar icons come from Zalo's icon font (CDN); ours are inline so they show offline too. */
const errorIcon = createElement(
  "span",
  { className: "snackbar-icon snackbar-icon--error" },
  createElement(Icon, { name: "alert", size: 20 }),
);
const successIcon = createElement(
  "span",
  { className: "snackbar-icon snackbar-icon--success" },
  createElement(Icon, { name: "check", size: 20 }),
);

/** Errors of actions (not of loading, which screens show in place) appear in one place: the snackbar. */
export function useErrorSnackbar() {
  const { openSnackbar } = useSnackbar();
  return useCallback(
    (error: unknown, fallback = "Đã có lỗi xảy ra. Vui lòng thử lại.") => {
      openSnackbar({
        text: error instanceof Error && error.message ? error.message : fallback,
        type: "error",
        prefixIcon: errorIcon,
        duration: 5000,
      });
    },
    [openSnackbar],
  );
}

export function useSuccessSnackbar() {
  const { openSnackbar } = useSnackbar();
  return useCallback(
    (text: string) => openSnackbar({ text, type: "success", prefixIcon: successIcon, duration: 3000 }),
    [openSnackbar],
  );
}
