import { ApiError, CATALOGUE_MEDIA_TYPE, CatalogueImportReport, MAX_CATALOGUE_BYTES } from "@qn/shared";
import { useState } from "react";
import { ApiClientError, postAs } from "../../api";
import { ErrorBox, Loading } from "../../common";

type Chosen = { name: string; size: number; procedures: unknown[] };
type Outcome = { report: CatalogueImportReport; message: string | null };

const MB = 1024 * 1024;

function formatSize(bytes: number): string {
  return bytes >= MB
    ? `${(bytes / MB).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} MB`
    : `${Math.ceil(bytes / 1024)} kB`;
}

/** Reads the chosen file: a JSON array of procedures, or an object with `procedures`. */
async function readCatalogue(file: File): Promise<Chosen> {
  if (file.size > MAX_CATALOGUE_BYTES)
    throw new Error(
      `Tệp ${file.name} nặng ${formatSize(file.size)}, vượt giới hạn ${formatSize(MAX_CATALOGUE_BYTES)}. Hãy chia danh mục thành nhiều tệp nhỏ hơn.`,
    );
  let data: unknown;
  try {
    data = JSON.parse(await file.text());
  } catch (e) {
    throw new Error(`Tệp ${file.name} không phải JSON hợp lệ (${(e as Error).message}).`);
  }
  const procedures = Array.isArray(data)
    ? data
    : typeof data === "object" && data !== null && Array.isArray((data as { procedures?: unknown }).procedures)
      ? (data as { procedures: unknown[] }).procedures
      : null;
  if (!procedures)
    throw new Error(`Tệp ${file.name} phải là một mảng JSON các thủ tục, hoặc một đối tượng có trường "procedures".`);
  if (procedures.length === 0) throw new Error(`Tệp ${file.name} không có thủ tục nào.`);
  return { name: file.name, size: file.size, procedures };
}

function messageOf(error: unknown): string {
  if (error instanceof ApiClientError && error.status === 413)
    return `Máy chủ từ chối vì dữ liệu quá lớn (tối đa ${formatSize(MAX_CATALOGUE_BYTES)} mỗi lần nhập). Hãy chia danh mục thành nhiều tệp nhỏ hơn.`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Imports the procedure catalogue: the file is checked first (a dry run: nothing written), the report shown, and only
 * a catalogue that passed can then be imported for real.
 */
export function CatalogueTab() {
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [reading, setReading] = useState(false);
  const [busy, setBusy] = useState<"check" | "import" | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [checked, setChecked] = useState<Outcome | null>(null);
  const [imported, setImported] = useState<Outcome | null>(null);
  const [inputKey, setInputKey] = useState(0);

  const send = async (dryRun: boolean) => {
    if (!chosen) return;
    setBusy(dryRun ? "check" : "import");
    setProblem(null);
    try {
      const res = await postAs(
        "/admin/catalogue/import",
        CATALOGUE_MEDIA_TYPE,
        JSON.stringify({ procedures: chosen.procedures, dryRun }),
        // A refused catalogue (422) is the report too, with the usual error beside it.
        CatalogueImportReport.extend(ApiError.partial().shape),
        [422],
      );
      const outcome = { report: res.body, message: res.status === 422 ? (res.body.error?.message ?? null) : null };
      if (dryRun) setChecked(outcome);
      else {
        setImported(outcome);
        if (outcome.report.valid) setChecked(null);
      }
    } catch (e) {
      setProblem(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const choose = async (file: File | undefined) => {
    setChecked(null);
    setImported(null);
    setProblem(null);
    setChosen(null);
    if (!file) return;
    setReading(true);
    try {
      setChosen(await readCatalogue(file));
    } catch (e) {
      setProblem(messageOf(e));
    } finally {
      setReading(false);
    }
  };

  const passed = checked?.report.valid === true && !imported;

  return (
    <section aria-labelledby="h-catalogue">
      <div className="page-header">
        <h2 id="h-catalogue" style={{ margin: 0 }}>
          Nhập danh mục thủ tục hành chính
        </h2>
      </div>
      <div className="panel">
        <ol style={{ marginTop: 0, paddingLeft: "1.25rem" }}>
          <li>
            Chọn tệp JSON: một mảng các thủ tục, hoặc một đối tượng <code>{'{"procedures": [...]}'}</code> (tối đa{" "}
            {formatSize(MAX_CATALOGUE_BYTES)}).
          </li>
          <li>
            Bấm "Kiểm tra tệp": hệ thống kiểm tra từng thủ tục và cho biết sẽ thêm, cập nhật bao nhiêu; chưa ghi gì.
          </li>
          <li>
            Nếu không có lỗi, bấm "Nhập danh mục". Thủ tục trùng mã được cập nhật; thủ tục không có trong tệp được giữ
            nguyên. Tệp có lỗi thì không thủ tục nào được nhập.
          </li>
        </ol>
        <div className="actions" style={{ alignItems: "end" }}>
          <label className="btn file-pick">
            Chọn tệp danh mục (.json)…
            <input
              key={inputKey}
              type="file"
              className="sr-only"
              accept=".json,application/json"
              // Emptied on each click: the same file, corrected on disk, can be chosen again.
              onClick={(e) => {
                e.currentTarget.value = "";
              }}
              onChange={(e) => void choose(e.target.files?.[0])}
            />
          </label>
          <button
            type="button"
            className="btn"
            disabled={!chosen || busy !== null}
            onClick={() => {
              setImported(null);
              void send(true);
            }}
          >
            {busy === "check" ? "Đang kiểm tra…" : "Kiểm tra tệp (chạy thử)"}
          </button>
          <button
            type="button"
            className="btn btn--primary"
            disabled={!passed || busy !== null}
            title={passed ? undefined : "Kiểm tra tệp không có lỗi trước khi nhập"}
            onClick={() => void send(false)}
          >
            {busy === "import" ? "Đang nhập…" : "Nhập danh mục"}
          </button>
        </div>
        {reading && <Loading label="Đang đọc tệp…" />}
        {!reading && (
          <p className="small muted" style={{ marginBottom: 0 }}>
            {chosen ? (
              <>
                Đã chọn <strong>{chosen.name}</strong> ({formatSize(chosen.size)}, {chosen.procedures.length} bản ghi).
                {!checked && !imported && " Bấm “Kiểm tra tệp” để xem báo cáo trước khi nhập."}
              </>
            ) : (
              "Chưa chọn tệp."
            )}
          </p>
        )}
      </div>
      {problem && <ErrorBox error={problem} />}
      {imported && (
        <ReportView
          title={imported.report.valid ? "Kết quả nhập danh mục" : "Không nhập được danh mục"}
          outcome={imported}
          onAgain={() => {
            setChosen(null);
            setChecked(null);
            setImported(null);
            setInputKey((k) => k + 1);
          }}
        />
      )}
      {checked && !imported && <ReportView title="Báo cáo kiểm tra (chạy thử, chưa ghi gì)" outcome={checked} />}
    </section>
  );
}

function ReportView({ title, outcome, onAgain }: { title: string; outcome: Outcome; onAgain?: () => void }) {
  const { report, message } = outcome;
  return (
    <section className="panel" aria-labelledby="h-report">
      <h3 id="h-report">{title}</h3>
      {report.valid ? (
        <div className="alert alert--ok" role="status">
          <span>
            {report.dryRun
              ? `Tệp hợp lệ: ${report.total} thủ tục không có lỗi. Bấm "Nhập danh mục" để ghi vào hệ thống.`
              : `Đã nhập ${report.total} thủ tục. Công dân tra cứu được ngay danh mục mới.`}
          </span>
          {onAgain && (
            <button type="button" className="btn btn--small" onClick={onAgain}>
              Nhập tệp khác
            </button>
          )}
        </div>
      ) : (
        <div className="alert alert--error" role="alert">
          <span>{message ?? `Danh mục có ${report.errorCount} lỗi; không thủ tục nào được nhập.`}</span>
        </div>
      )}
      <dl className="facts">
        <dt>Số bản ghi trong tệp</dt>
        <dd>{report.total}</dd>
        <dt>{report.dryRun ? "Sẽ thêm mới" : "Thêm mới"}</dt>
        <dd>{report.inserted}</dd>
        <dt>{report.dryRun ? "Sẽ cập nhật" : "Cập nhật"}</dt>
        <dd>{report.updated}</dd>
        <dt>Không thay đổi</dt>
        <dd>{report.unchanged}</dd>
        <dt>Số lỗi</dt>
        <dd className={report.errorCount > 0 ? "not-met" : undefined}>{report.errorCount}</dd>
      </dl>
      {report.errors.length > 0 && (
        <>
          <h3 style={{ marginTop: "1rem" }}>Danh sách lỗi</h3>
          {report.errorCount > report.errors.length && (
            <p className="small muted">
              Chỉ liệt kê {report.errors.length} lỗi đầu tiên trong tổng số {report.errorCount}.
            </p>
          )}
          <div className="table-wrap">
            <table aria-label="Lỗi trong tệp danh mục">
              <thead>
                <tr>
                  <th className="num">Vị trí (từ 0)</th>
                  <th>Mã thủ tục</th>
                  <th>Trường</th>
                  <th>Lỗi</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((e, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                  <tr key={i}>
                    <td className="num">{e.index ?? "—"}</td>
                    <td>{e.code ?? "—"}</td>
                    <td>
                      <code>{e.field}</code>
                    </td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="small muted">Sửa các lỗi trong tệp, chọn lại tệp và kiểm tra lại.</p>
        </>
      )}
    </section>
  );
}
