import { onlineLevelLabel, PROCEDURE_LEVEL_LABELS, type Procedure } from "@qn/shared";
import { getProcedure } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { formatFee, formatProcessingDays } from "../format";
import { useAsync } from "../hooks/useAsync";

type Props = { code: string; onBack: () => void };

/** Chi tiết thủ tục: documents, fees, processing time, agency, online level, postal service. */
export function ProcedureDetailPage({ code, onBack }: Props) {
  const { state, retry } = useAsync(code, (signal) => getProcedure(code, signal));
  return (
    <div className="screen">
      <TopBar title="Chi tiết thủ tục" onBack={onBack} />
      {state.status === "loading" && <StateMessage kind="loading" />}
      {state.status === "error" && <StateMessage kind="error" text={state.message} onRetry={retry} />}
      {state.status === "done" && <ProcedureDetail procedure={state.value} />}
    </div>
  );
}

function ProcedureDetail({ procedure: p }: { procedure: Procedure }) {
  return (
    <article className="detail">
      <h2 className="detail__name">{p.name}</h2>
      <p className="detail__code">Mã thủ tục {p.code}</p>
      <dl className="facts">
        <dt>Cơ quan thực hiện</dt>
        <dd>
          {p.agency} ({PROCEDURE_LEVEL_LABELS[p.level]})
        </dd>
        <dt>Thời hạn giải quyết</dt>
        <dd>
          {formatProcessingDays(p.processingDays)}
          {p.processingNote && <span className="facts__note">{p.processingNote}</span>}
        </dd>
        <dt>Mức độ trực tuyến</dt>
        <dd>{onlineLevelLabel(p.onlineLevel)}</dd>
        <dt>Qua bưu điện</dt>
        <dd>{p.postal ? "Có thể gửi hồ sơ và nhận kết quả qua bưu điện" : "Không áp dụng qua bưu điện"}</dd>
      </dl>

      <section aria-labelledby="fees">
        <h3 id="fees">Phí, lệ phí</h3>
        {p.fees.length === 0 ? (
          <p>Đang cập nhật.</p>
        ) : (
          <ul className="fees">
            {p.fees.map((fee) => (
              <li key={fee.name}>
                <span>{fee.name}</span>
                <strong>{formatFee(fee)}</strong>
                {fee.note && <span className="facts__note">{fee.note}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="documents">
        <h3 id="documents">Giấy tờ cần chuẩn bị</h3>
        {p.documents.length === 0 ? (
          <p>Đang cập nhật. Vui lòng liên hệ cơ quan thực hiện.</p>
        ) : (
          <ol className="documents">
            {p.documents.map((d) => (
              <li key={d.name}>
                {d.name}
                <span className="documents__meta">
                  {d.copies} bản · {d.required ? "bắt buộc" : "nếu có"}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      {p.result && (
        <section aria-labelledby="result">
          <h3 id="result">Kết quả</h3>
          <p>{p.result}</p>
        </section>
      )}
      {p.steps && p.steps.length > 0 && (
        <section aria-labelledby="steps">
          <h3 id="steps">Trình tự thực hiện</h3>
          <ol>
            {p.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </section>
      )}
      {p.legalBasis && p.legalBasis.length > 0 && (
        <section aria-labelledby="legal">
          <h3 id="legal">Căn cứ pháp lý</h3>
          <ul>
            {p.legalBasis.map((basis) => (
              <li key={basis}>{basis}</li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
