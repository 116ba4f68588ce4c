import { useCallback, useEffect, useState } from "react";
import { ApiClientError } from "../api/client";

export type AsyncState<T> =
  | { status: "loading" }
  | { status: "error"; message: string; httpStatus: number }
  | { status: "done"; value: T };

/**
 * Runs `load` whenever `key` changes, cancelling the previous run (typing fast never shows stale results), and
 * exposes a `retry`. Errors become a Vietnamese message (the API client already words them).
 */
export function useAsync<T>(key: string, load: (signal: AbortSignal) => Promise<T>, delayMs = 0) {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` changes every render; `key` says when to reload.
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: "loading" });
    const timer = setTimeout(() => {
      load(controller.signal).then(
        (value) => {
          if (!controller.signal.aborted) setState({ status: "done", value });
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setState({
            status: "error",
            message: error instanceof Error ? error.message : "Đã có lỗi xảy ra.",
            httpStatus: error instanceof ApiClientError ? error.status : 0,
          });
        },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, attempt, delayMs]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
