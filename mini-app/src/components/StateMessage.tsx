import type { ReactNode } from "react";
import { Button, Spinner } from "zmp-ui";

type Props =
  | { kind: "loading"; text?: string }
  | { kind: "empty"; title: string; text?: ReactNode }
  | { kind: "error"; text: string; onRetry: () => void };

/** Loading, empty and error states look the same on every screen, and the error always offers a way forward. */
export function StateMessage(props: Props) {
  if (props.kind === "loading") {
    return (
      <div className="state" role="status" aria-live="polite">
        <Spinner visible />
        <p>{props.text ?? "Đang tải…"}</p>
      </div>
    );
  }
  if (props.kind === "empty") {
    return (
      <div className="state" role="status">
        <p className="state__title">{props.title}</p>
        {props.text && <div className="state__text">{props.text}</div>}
      </div>
    );
  }
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">{props.text}</p>
      <Button size="medium" variant="secondary" onClick={props.onRetry}>
        Thử lại
      </Button>
    </div>
  );
}
