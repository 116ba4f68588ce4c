import {
  ONLINE_LEVEL_LABELS,
  type OnlineLevel,
  PROCEDURE_LEVEL_LABELS,
  type ProcedureField,
  type ProcedureLevel,
  type ProcedureSummary,
} from "@qn/shared";
import { useEffect, useState } from "react";
import { Input, Page, useNavigate } from "zmp-ui";
import { api } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { formatProcessingDays } from "../format";
import { useAsync } from "../hooks/useAsync";

const PAGE_SIZE = 20;
const EXAMPLES = ["làm giấy khai sinh", "sổ đỏ", "đăng ký tạm trú", "bằng lái xe", "công chứng giấy tờ"];

/** The last search, kept while the app runs: coming back from a procedure finds the same query and filters. */
const remembered: { q: string; level?: ProcedureLevel; onlineLevel?: OnlineLevel; field: string } = {
  q: "",
  field: "",
};

/** Tìm thủ tục: results as you type, filters by field, level and online level. */
export default function SearchPage() {
  const navigate = useNavigate();
  const [q, setQ] = useState(remembered.q);
  const [level, setLevel] = useState<ProcedureLevel | undefined>(remembered.level);
  const [onlineLevel, setOnlineLevel] = useState<OnlineLevel | undefined>(remembered.onlineLevel);
  const [field, setField] = useState(remembered.field);
  useEffect(() => {
    Object.assign(remembered, { q, level, onlineLevel, field });
  }, [q, level, onlineLevel, field]);
  const [fields, setFields] = useState<ProcedureField[]>([]);
  const [limit, setLimit] = useState(PAGE_SIZE);
  useEffect(() => {
    api.fields().then(setFields, () => setFields([]));
  }, []);
  const key = JSON.stringify([q.trim(), level, onlineLevel, field, limit]);
  const [state, retry] = useAsync(
    (signal) => api.searchProcedures({ q: q.trim(), level, onlineLevel, field: field || undefined, limit }, signal),
    [key],
    q.trim() === "" ? 0 : 200,
  );
  const reset = () => setLimit(PAGE_SIZE);

  return (
    <Page className="screen">
      <TopBar title="Tìm thủ tục" />
      <div className="search-box">
        <Input.Search
          aria-label="Tìm thủ tục hành chính"
          placeholder="Bạn cần làm thủ tục gì? Ví dụ: làm giấy khai sinh"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            reset();
          }}
          loading={state.status === "loading" && q.trim() !== ""}
          clearable
        />
        <fieldset className="chips">
          <legend className="visually-hidden">Cấp thực hiện</legend>
          <Chip
            selected={level === undefined}
            onClick={() => {
              reset();
              setLevel(undefined);
            }}
          >
            Mọi cấp
          </Chip>
          {(["commune", "province"] as const).map((l) => (
            <Chip
              key={l}
              selected={level === l}
              onClick={() => {
                reset();
                setLevel(level === l ? undefined : l);
              }}
            >
              {PROCEDURE_LEVEL_LABELS[l]}
            </Chip>
          ))}
        </fieldset>
        <fieldset className="chips">
          <legend className="visually-hidden">Mức độ trực tuyến</legend>
          {([4, 3] as const).map((l) => (
            <Chip
              key={l}
              selected={onlineLevel === l}
              onClick={() => {
                reset();
                setOnlineLevel(onlineLevel === l ? undefined : l);
              }}
            >
              {l === 4 ? "Toàn trình (mức 4)" : "Một phần (mức 3)"}
            </Chip>
          ))}
        </fieldset>
        <label className="field">
          <span className="field__label">Lĩnh vực</span>
          <select
            value={field}
            onChange={(e) => {
              reset();
              setField(e.target.value);
            }}
          >
            <option value="">Tất cả lĩnh vực</option>
            {fields.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} ({f.count})
              </option>
            ))}
          </select>
        </label>
      </div>

      {state.status === "loading" && <StateMessage kind="loading" text="Đang tìm thủ tục…" />}
      {state.status === "error" && <StateMessage kind="error" text={state.error.message} onRetry={retry} />}
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
              <ResultItem key={p.code} procedure={p} onOpen={(code) => navigate(`/procedure/${code}`)} />
            ))}
          </ul>
          {state.value.items.length < state.value.total && (
            <button type="button" className="more" onClick={() => setLimit(Math.min(100, limit + PAGE_SIZE))}>
              Xem thêm thủ tục
            </button>
          )}
        </>
      )}
    </Page>
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
