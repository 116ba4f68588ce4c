import {
  ONLINE_LEVEL_LABELS,
  type OnlineLevel,
  PROCEDURE_LEVEL_LABELS,
  type ProcedureLevel,
  type ProcedureSummary,
} from "@qn/shared";
import { useState } from "react";
import { Input } from "zmp-ui";
import { searchProcedures } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { formatProcessingDays } from "../format";
import { useAsync } from "../hooks/useAsync";

const PAGE_SIZE = 20;
const EXAMPLES = ["làm giấy khai sinh", "sổ đỏ", "đăng ký tạm trú", "bằng lái xe", "công chứng giấy tờ"];

type Props = { onOpen: (code: string) => void };

/** Tìm thủ tục: results as you type, filters by level and online level. */
export function SearchPage({ onOpen }: Props) {
  const [q, setQ] = useState("");
  const [level, setLevel] = useState<ProcedureLevel | undefined>();
  const [onlineLevel, setOnlineLevel] = useState<OnlineLevel | undefined>();
  const [limit, setLimit] = useState(PAGE_SIZE);
  const key = JSON.stringify([q.trim(), level, onlineLevel, limit]);
  const { state, retry } = useAsync(
    key,
    (signal) => searchProcedures({ q: q.trim(), level, onlineLevel, limit }, signal),
    q.trim() === "" ? 0 : 200,
  );
  const resetPaging = () => setLimit(PAGE_SIZE);
  const chooseLevel = (next: ProcedureLevel | undefined) => {
    setLevel(next);
    resetPaging();
  };
  const chooseOnlineLevel = (next: OnlineLevel | undefined) => {
    setOnlineLevel(next);
    resetPaging();
  };

  return (
    <div className="screen">
      <TopBar title="Tìm thủ tục" />
      <div className="search-box">
        <Input.Search
          aria-label="Tìm thủ tục hành chính"
          placeholder="Bạn cần làm thủ tục gì? Ví dụ: làm giấy khai sinh"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            resetPaging();
          }}
          loading={state.status === "loading" && q.trim() !== ""}
          clearable
        />
        <fieldset className="chips">
          <legend className="visually-hidden">Cấp thực hiện</legend>
          <Chip selected={level === undefined} onClick={() => chooseLevel(undefined)}>
            Mọi cấp
          </Chip>
          {(["commune", "province"] as const).map((l) => (
            <Chip key={l} selected={level === l} onClick={() => chooseLevel(level === l ? undefined : l)}>
              {PROCEDURE_LEVEL_LABELS[l]}
            </Chip>
          ))}
        </fieldset>
        <fieldset className="chips">
          <legend className="visually-hidden">Mức độ trực tuyến</legend>
          <Chip selected={onlineLevel === 4} onClick={() => chooseOnlineLevel(onlineLevel === 4 ? undefined : 4)}>
            Toàn trình (mức 4)
          </Chip>
          <Chip selected={onlineLevel === 3} onClick={() => chooseOnlineLevel(onlineLevel === 3 ? undefined : 3)}>
            Một phần (mức 3)
          </Chip>
        </fieldset>
      </div>

      {state.status === "loading" && <StateMessage kind="loading" text="Đang tìm thủ tục…" />}
      {state.status === "error" && <StateMessage kind="error" text={state.message} onRetry={retry} />}
      {state.status === "done" && state.value.total === 0 && (
        <StateMessage
          kind="empty"
          title="Chưa tìm thấy thủ tục phù hợp"
          text={
            <>
              <p>Hãy thử viết ngắn hơn hoặc dùng từ khác, ví dụ:</p>
              <div className="chips">
                {EXAMPLES.map((example) => (
                  <Chip key={example} selected={false} onClick={() => setQ(example)}>
                    {example}
                  </Chip>
                ))}
              </div>
            </>
          }
        />
      )}
      {state.status === "done" && state.value.total > 0 && (
        <>
          <p className="result-count" aria-live="polite">
            {q.trim() ? `${state.value.total} thủ tục phù hợp` : `${state.value.total} thủ tục`}
          </p>
          <ul className="results">
            {state.value.items.map((p) => (
              <ResultItem key={p.code} procedure={p} onOpen={onOpen} />
            ))}
          </ul>
          {state.value.items.length < state.value.total && (
            <button type="button" className="more" onClick={() => setLimit(Math.min(100, limit + PAGE_SIZE))}>
              Xem thêm thủ tục
            </button>
          )}
        </>
      )}
    </div>
  );
}

function Chip({ selected, onClick, children }: { selected: boolean; onClick: () => void; children: React.ReactNode }) {
  return (
    <button type="button" className={selected ? "chip chip--on" : "chip"} aria-pressed={selected} onClick={onClick}>
      {children}
    </button>
  );
}

function ResultItem({ procedure: p, onOpen }: { procedure: ProcedureSummary; onOpen: (code: string) => void }) {
  return (
    <li>
      <button type="button" className="result" onClick={() => onOpen(p.code)}>
        <span className="result__name">{p.name}</span>
        <span className="result__meta">
          {PROCEDURE_LEVEL_LABELS[p.level]} · {p.agency}
        </span>
        <span className="result__tags">
          <span className={`tag tag--level${p.onlineLevel}`}>{ONLINE_LEVEL_LABELS[p.onlineLevel].decree42}</span>
          <span className="tag">{formatProcessingDays(p.processingDays)}</span>
          <span className="tag tag--code">Mã {p.code}</span>
        </span>
      </button>
    </li>
  );
}
