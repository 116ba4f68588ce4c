import { currentCommunes, formatVnd, type PostalSender } from "@qn/shared";
import { useMemo, useState } from "react";
import { useAsync } from "../../../hooks/useAsync";
import { api, get, post } from "../../api";
import { Empty, ErrorBox, fieldError, Loading, useAction } from "../../common";
import { parseVnd } from "../../payments";
import {
  addressText,
  parseWaybills,
  readSender,
  type SenderDraft,
  type SenderField,
  senderDraft,
  WAYBILLS_LIMIT,
} from "../../postal";
import { Dialog, Field } from "./shared";

/** `GET /api/admin/postal/senders`: every receiving unit with its sender details, or null when it has none yet. */
type UnitSender = { unitCode: string; unitName: string; sender: PostalSender | null };

/**
 * "Bưu chính" in Quản trị (issue 15): each receiving unit's sender details (the agency's side of every order and its
 * label: name, phone, address, the post's customer code) and its tariff (what the citizen pays the post), and the
 * waybill numbers the post allocates in advance, pasted into the pool.
 */
export function PostalTab() {
  const [senders, reload] = useAsync(() => get<UnitSender[]>("/admin/postal/senders"), []);
  const [text, setText] = useState("");
  const [missingOnly, setMissingOnly] = useState(false);
  const [editing, setEditing] = useState<UnitSender | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const needle = text.trim().toLocaleLowerCase("vi");
  const all = senders.value ?? [];
  const missing = all.filter((u) => !u.sender).length;
  const items = all.filter(
    (u) =>
      (!missingOnly || !u.sender) &&
      (!needle || u.unitCode.includes(needle) || u.unitName.toLocaleLowerCase("vi").includes(needle)),
  );

  return (
    <>
      <section aria-labelledby="h-senders">
        <h2 id="h-senders">Thông tin gửi bưu điện của đơn vị</h2>
        <p className="small muted">
          Mỗi đơn vị tiếp nhận là người gửi trên đơn và nhãn khi trả kết quả qua bưu điện, và là nơi nhận hồ sơ gốc bưu
          điện lấy tại nhà công dân. Cước là mức thu theo hợp đồng của đơn vị với bưu điện, hiện cho công dân trước khi
          xác nhận. Đơn vị chưa khai báo thì chưa gửi được đơn nào tới bưu điện.
        </p>
        {done && (
          <div className="alert alert--ok" role="status">
            <span>{done}</span>
            <button type="button" className="btn btn--small" onClick={() => setDone(null)}>
              Đóng
            </button>
          </div>
        )}
        <form className="filters admin-filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Tìm theo tên, mã đơn vị
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" checked={missingOnly} onChange={(e) => setMissingOnly(e.target.checked)} />
            Chỉ đơn vị chưa khai báo{senders.value ? ` (${missing})` : ""}
          </label>
        </form>
        {senders.status === "error" && <ErrorBox error={senders.error} onRetry={reload} />}
        {senders.status === "loading" && !senders.value && <Loading />}
        {senders.value && items.length === 0 && (
          <Empty>{all.length === 0 ? "Chưa có đơn vị tiếp nhận nào." : "Không có đơn vị nào khớp."}</Empty>
        )}
        {items.length > 0 && (
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th>Đơn vị</th>
                  <th>Người gửi trên nhãn</th>
                  <th>Mã khách hàng</th>
                  <th className="num">Cước (lấy hồ sơ · gửi kết quả · thu hộ)</th>
                  <th>
                    <span className="sr-only">Thao tác</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((u) => (
                  <tr key={u.unitCode} data-unit={u.unitCode}>
                    <td data-label="Đơn vị">
                      {u.unitName}
                      <div className="muted small">
                        Mã <code>{u.unitCode}</code>
                      </div>
                    </td>
                    <td data-label="Người gửi">
                      {u.sender ? (
                        <>
                          {u.sender.name}
                          <div className="muted small">{u.sender.phone}</div>
                          <div className="small">{addressText(u.sender.address)}</div>
                        </>
                      ) : (
                        <span className="chip chip--wait">Chưa khai báo</span>
                      )}
                    </td>
                    <td data-label="Mã khách hàng">
                      {u.sender?.customerCode ? (
                        <code>{u.sender.customerCode}</code>
                      ) : (
                        <span className="muted">{u.sender ? "Chưa có" : "—"}</span>
                      )}
                    </td>
                    <td data-label="Cước" className="num">
                      {u.sender ? (
                        <span className="nowrap">
                          {formatVnd(u.sender.tariff.pickup)} · {formatVnd(u.sender.tariff.delivery)} ·{" "}
                          {formatVnd(u.sender.tariff.cod)}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn--small"
                        aria-label={`${u.sender ? "Sửa" : "Khai báo"} thông tin gửi bưu điện của ${u.unitName}`}
                        onClick={() => {
                          setDone(null);
                          setEditing(u);
                        }}
                      >
                        {u.sender ? "Sửa" : "Khai báo"}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {senders.value && (
          <p className="small muted">
            {all.length} đơn vị{missing > 0 ? ` · ${missing} đơn vị chưa khai báo thông tin gửi bưu điện` : ""}
          </p>
        )}
      </section>
      <WaybillPool />
      {editing && (
        <SenderDialog
          unit={editing}
          onClose={() => setEditing(null)}
          onSaved={(name) => {
            setEditing(null);
            setDone(
              `Đã lưu thông tin gửi bưu điện của ${name}. Các đơn của đơn vị đang chờ thông tin này được gửi tới bưu điện ngay.`,
            );
            reload();
          }}
        />
      )}
    </>
  );
}

function SenderDialog({
  unit,
  onClose,
  onSaved,
}: {
  unit: UnitSender;
  onClose: () => void;
  onSaved: (unitName: string) => void;
}) {
  const [draft, setDraft] = useState<SenderDraft>(() => senderDraft(unit.sender));
  const [local, setLocal] = useState<Partial<Record<SenderField, string>>>({});
  const [tried, setTried] = useState(false);
  const save = useAction();
  const communes = useMemo(() => [...currentCommunes()].sort((a, b) => a.name.localeCompare(b.name, "vi")), []);
  const set = (field: keyof SenderDraft, value: string) => {
    const next = { ...draft, [field]: value };
    setDraft(next);
    // Once tried, the messages follow the typing: each goes as soon as its field is right.
    if (tried) {
      const read = readSender(next);
      setLocal(read.ok ? {} : read.problems);
    }
  };
  const submit = async () => {
    setTried(true);
    const read = readSender(draft);
    if (!read.ok) {
      setLocal(read.problems);
      return;
    }
    setLocal({});
    const saved = await save.run(() =>
      api<PostalSender>("PUT", `/admin/postal/senders/${encodeURIComponent(unit.unitCode)}`, read.sender),
    );
    if (saved) onSaved(unit.unitName);
  };
  const err = (path: SenderField) => local[path] ?? fieldError(save.error, path);
  const delivery = parseVnd(draft.delivery);
  const cod = parseVnd(draft.cod);
  const shownFields: SenderField[] = [
    "name",
    "phone",
    "address.communeCode",
    "address.street",
    "customerCode",
    "tariff.pickup",
    "tariff.delivery",
    "tariff.cod",
  ];
  const otherError =
    save.error && !save.error.details.some((d) => shownFields.some((f) => d.path === f || d.path.startsWith(`${f}.`)))
      ? save.error
      : null;
  return (
    <Dialog id="h-sender" title={`Thông tin gửi bưu điện: ${unit.unitName}`} onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {otherError && <ErrorBox error={otherError} />}
        {save.error && !otherError && (
          <div className="alert alert--error" role="alert">
            <span>Chưa lưu được: kiểm tra các ô được đánh dấu.</span>
          </div>
        )}
        <Field label="Tên đơn vị gửi (in trên nhãn)" error={err("name")}>
          <input
            value={draft.name}
            maxLength={220}
            onChange={(e) => set("name", e.target.value)}
            aria-invalid={Boolean(err("name"))}
          />
        </Field>
        <Field
          label="Điện thoại"
          error={err("phone")}
          hint="Số của bộ phận một cửa; số máy bàn được, VD 0203 3636 333."
        >
          <input
            value={draft.phone}
            inputMode="tel"
            onChange={(e) => set("phone", e.target.value)}
            aria-invalid={Boolean(err("phone"))}
          />
        </Field>
        <div className="form-row">
          <Field label="Xã, phường, đặc khu" error={err("address.communeCode")}>
            <select
              value={draft.communeCode}
              onChange={(e) => set("communeCode", e.target.value)}
              aria-invalid={Boolean(err("address.communeCode"))}
            >
              <option value="">— Chọn xã, phường —</option>
              {communes.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.fullName}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Địa chỉ (số nhà, đường, tổ)" error={err("address.street")}>
            <input
              value={draft.street}
              maxLength={320}
              onChange={(e) => set("street", e.target.value)}
              aria-invalid={Boolean(err("address.street"))}
            />
          </Field>
        </div>
        <Field
          label="Mã khách hàng của bưu điện"
          error={err("customerCode")}
          hint="Bưu điện cấp theo hợp đồng; cần có trước khi gửi đơn tới bưu điện thật. Để trống nếu chưa có."
        >
          <input
            value={draft.customerCode}
            maxLength={60}
            onChange={(e) => set("customerCode", e.target.value)}
            aria-invalid={Boolean(err("customerCode"))}
          />
        </Field>
        <fieldset className="tariff">
          <legend>Cước (đồng)</legend>
          <div className="form-row form-row--3">
            <Field label="Thu gom hồ sơ" error={err("tariff.pickup")}>
              <input
                className="input--money"
                inputMode="numeric"
                value={draft.pickup}
                onChange={(e) => set("pickup", e.target.value)}
                aria-invalid={Boolean(err("tariff.pickup"))}
              />
            </Field>
            <Field label="Chuyển phát kết quả" error={err("tariff.delivery")}>
              <input
                className="input--money"
                inputMode="numeric"
                value={draft.delivery}
                onChange={(e) => set("delivery", e.target.value)}
                aria-invalid={Boolean(err("tariff.delivery"))}
              />
            </Field>
            <Field label="Phí thu hộ" error={err("tariff.cod")}>
              <input
                className="input--money"
                inputMode="numeric"
                value={draft.cod}
                onChange={(e) => set("cod", e.target.value)}
                aria-invalid={Boolean(err("tariff.cod"))}
              />
            </Field>
          </div>
          <p className="small muted">
            Cước thu gom hồ sơ công dân trả khi bưu điện đến nhà lấy hồ sơ gốc.
            {delivery !== null && cod !== null && delivery <= 10_000_000 && cod <= 10_000_000
              ? ` Khi nhận kết quả, công dân trả ${formatVnd(delivery + cod)} (cước và phí thu hộ).`
              : " Khi nhận kết quả, công dân trả cước chuyển phát cùng phí thu hộ."}
          </p>
        </fieldset>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose} disabled={save.busy}>
            Hủy
          </button>
          <button type="submit" className="btn btn--primary" disabled={save.busy}>
            {save.busy ? "Đang lưu…" : "Lưu"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Waybill numbers the post allocated in advance, pasted one a line (or separated by commas or spaces). */
function WaybillPool() {
  const [text, setText] = useState("");
  const [tried, setTried] = useState(false);
  const [result, setResult] = useState<{ added: number; free: number; sent: number } | null>(null);
  const save = useAction();
  const parsed = useMemo(() => parseWaybills(text), [text]);
  const problem =
    parsed.invalid.length > 0
      ? `Không phải số vận đơn (chỉ gồm chữ in hoa và số, 6–20 ký tự): ${parsed.invalid.slice(0, 5).join(", ")}${parsed.invalid.length > 5 ? ` và ${parsed.invalid.length - 5} số khác` : ""}.`
      : parsed.waybills.length > WAYBILLS_LIMIT
        ? `Tối đa ${WAYBILLS_LIMIT.toLocaleString("vi-VN")} số một lần; hãy chia nhỏ danh sách.`
        : tried && parsed.waybills.length === 0
          ? "Dán ít nhất một số vận đơn."
          : null;
  const submit = async () => {
    setTried(true);
    setResult(null);
    if (problem || parsed.waybills.length === 0) return;
    const sent = parsed.waybills.length;
    const answer = await save.run(() =>
      post<{ added: number; free: number }>("/admin/postal/waybills", { waybills: parsed.waybills }),
    );
    if (answer) {
      setResult({ ...answer, sent });
      setText("");
      setTried(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="h-waybills" style={{ marginTop: "1.5rem" }}>
      <h2 id="h-waybills">Kho số vận đơn cấp trước</h2>
      <p className="small muted">
        Chỉ dùng khi bưu điện cấp trước một dải số vận đơn và hệ thống được cấu hình dùng kho số này: mỗi đơn gửi đi lấy
        một số chưa dùng. Khi kho hết số, đơn chờ ở mục “Cần xử lý” của trang Bưu chính cho đến khi có số mới.
      </p>
      {result && (
        <div className="alert alert--ok" role="status">
          <span>
            Đã thêm {result.added} số vận đơn mới
            {result.sent > result.added ? ` (${result.sent - result.added} số đã có trong kho từ trước)` : ""}. Kho còn{" "}
            {result.free.toLocaleString("vi-VN")} số chưa dùng.
          </span>
        </div>
      )}
      {save.error && <ErrorBox error={save.error} />}
      <Field
        label="Số vận đơn (mỗi dòng một số)"
        error={problem ?? undefined}
        hint={
          parsed.waybills.length > 0
            ? `${parsed.waybills.length} số hợp lệ${parsed.repeated > 0 ? `, ${parsed.repeated} số lặp lại được bỏ qua` : ""}.`
            : "VD: EB123456785VN"
        }
      >
        <textarea
          value={text}
          rows={6}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={Boolean(problem)}
        />
      </Field>
      <button type="button" className="btn btn--primary" disabled={save.busy} onClick={submit}>
        {save.busy
          ? "Đang thêm…"
          : `Thêm vào kho${parsed.waybills.length > 0 ? ` (${parsed.waybills.length} số)` : ""}`}
      </button>
    </section>
  );
}
