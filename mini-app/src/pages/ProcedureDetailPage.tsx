import {
  acceptsOnlineFiling,
  isSafeFormLink,
  onlineLevelLabel,
  PROCEDURE_LEVEL_LABELS,
  type Procedure,
} from "@qn/shared";
import { Button, Page, useNavigate, useParams } from "zmp-ui";
import { api } from "../api/client";
import { StateMessage } from "../components/StateMessage";
import { TopBar } from "../components/TopBar";
import { formatFee, formatProcessingDays } from "../format";
import { useAsync } from "../hooks/useAsync";
import { openExternal } from "../zalo";

/** Chi tiết thủ tục: documents, fees, processing time, agency, online level, postal service, and how to file. */
export default function ProcedureDetailPage() {
  const code = useParams().code ?? "";
  const [state, retry] = useAsync((signal) => api.procedure(code, signal), [code]);
  return (
    <Page className="screen">
      <TopBar title="Chi tiết thủ tục" />
      {state.status === "loading" && <StateMessage kind="loading" />}
      {state.status === "error" && <StateMessage kind="error" text={state.error.message} onRetry={retry} />}
      {state.status === "done" && <ProcedureDetail procedure={state.value} />}
    </Page>
  );
}

function ProcedureDetail({ procedure: p }: { procedure: Procedure }) {
  const navigate = useNavigate();
  return (
    <article className="detail">
      <div className="file-action">
        {acceptsOnlineFiling(p) ? (
          <Button fullWidth onClick={() => navigate(`/file/${p.code}`)}>
            Nộp hồ sơ trực tuyến
          </Button>
        ) : (
          <p className="notice">
            Thủ tục này chưa nhận hồ sơ trực tuyến. Bạn chuẩn bị giấy tờ bên dưới và nộp tại bộ phận một cửa.{" "}
            <button type="button" className="link" onClick={() => navigate("/support")}>
              Xem nơi nộp
            </button>
          </p>
        )}
      </div>
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
                {d.form &&
                  (isSafeFormLink(d.form) ? (
                    <button type="button" className="link" onClick={() => void openExternal(d.form as string)}>
                      Tải mẫu tờ khai
                    </button>
                  ) : (
                    <span className="documents__meta">Mẫu: {d.form}</span>
                  ))}
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
