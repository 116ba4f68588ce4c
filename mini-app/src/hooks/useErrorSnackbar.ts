import { useCallback } from "react";
import { useSnackbar } from "zmp-ui";

/** Errors of actions (not of loading, which screens show in place) appear in one place: the snackbar. */
export function useErrorSnackbar() {
  const { openSnackbar } = useSnackbar();
  return useCallback(
    (error: unknown, fallback = "Đã có lỗi xảy ra. Vui lòng thử lại.") => {
      openSnackbar({
        text: error instanceof Error && error.message ? error.message : fallback,
        type: "error",
        duration: 5000,
      });
    },
    [openSnackbar],
  );
}

export function useSuccessSnackbar() {
  const { openSnackbar } = useSnackbar();
  return useCallback((text: string) => openSnackbar({ text, type: "success", duration: 3000 }), [openSnackbar]);
}
