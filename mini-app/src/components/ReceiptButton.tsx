import { useState } from "react";
import { Button } from "zmp-ui";
import { api } from "../api/client";
import { API_ORIGIN } from "../api/origin";
import { useErrorSnackbar, useSuccessSnackbar } from "../hooks/useErrorSnackbar";
import { paymentPageUrl, receiptFileName } from "../pages/pay/flow";
import { inZalo, openFileUrl, saveFile } from "../zalo";

/** "Tải biên lai điện tử": the e-receipt's PDF, fetched with the session's token and saved on the device. */
export function ReceiptButton({
  code,
  receiptNumber,
  variant = "primary",
}: {
  code: string;
  receiptNumber: string;
  variant?: "primary" | "secondary";
}) {
  const [busy, setBusy] = useState(false);
  const showError = useErrorSnackbar();
  const done = useSuccessSnackbar();
  const download = async () => {
    setBusy(true);
    try {
      const title = `Biên lai ${receiptNumber}`;
      // Inside Zalo its document viewer opens a plain https address: a link valid a few minutes, no session needed.
      const opened =
        inZalo() &&
        (await api
          .receiptLink(code, receiptNumber)
          .then((link) => openFileUrl(paymentPageUrl(link.url, API_ORIGIN, window.location.origin), title))
          .catch(() => false));
      if (!opened) {
        const pdf = await api.receipt(code, receiptNumber);
        await saveFile(pdf, receiptFileName(receiptNumber), title);
      }
      if (inZalo()) done("Đã tải biên lai điện tử");
    } catch (error) {
      showError(error, "Chưa tải được biên lai. Vui lòng thử lại.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button fullWidth variant={variant} loading={busy} onClick={download}>
      Tải biên lai điện tử
    </Button>
  );
}
