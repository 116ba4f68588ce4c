import { useCallback, useEffect, useRef, useState } from "react";
import { type ApiClientError, asApiClientError } from "../api/request";

/** A load in progress, done, or failed; the last value stays while it loads again or after a failed reload. */
export type AsyncState<T> =
  | { status: "loading"; value?: T }
  | { status: "done"; value: T }
  | { status: "error"; error: ApiClientError; value?: T };

/**
 * The one loading hook of both front-ends. Runs `load` on mount and whenever `deps` change (after `delayMs`: a
 * debounce while typing), cancelling the previous run: its signal is aborted and its answer ignored, so typing fast
 * never shows stale results. `reload` runs it again. Failures become an `ApiClientError` (the API clients already word
 * them in Vietnamese). The citizens' screens show a value only when `done`; the console keeps the last one on screen
 * while a list refreshes.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  delayMs = 0,
): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  // `load` is a new function at every render: the latest one runs, `deps` say when.
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ status: "loading", value: s.value }));
    const timer = setTimeout(() => {
      loadRef.current(controller.signal).then(
        (value) => {
          if (!controller.signal.aborted) setState({ status: "done", value });
        },
        (error: unknown) => {
          if (!controller.signal.aborted)
            setState((s) => ({ status: "error", error: asApiClientError(error), value: s.value }));
        },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [...deps, attempt, delayMs]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, reload];
}
