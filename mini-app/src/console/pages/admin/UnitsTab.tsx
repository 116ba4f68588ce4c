import { useState } from "react";
import { Link } from "react-router-dom";
import { Empty, ErrorBox, Loading } from "../../common";
import { LEVEL_LABELS, useUnits } from "./shared";

/** The units that receive dossiers: the province's centre and the communes, with their active officials. */
export function UnitsTab() {
  const [units, reload] = useUnits();
  const [text, setText] = useState("");
  const needle = text.trim().toLocaleLowerCase("vi");
  const items = (units.value ?? []).filter(
    (u) =>
      !needle ||
      u.code.includes(needle) ||
      u.agencyCode.toLocaleLowerCase("vi").includes(needle) ||
      u.name.toLocaleLowerCase("vi").includes(needle),
  );
  const withoutOfficials = (units.value ?? []).filter((u) => u.activeOfficials === 0).length;

  return (
    <section aria-labelledby="h-units">
      <div className="page-header">
        <h2 id="h-units" style={{ margin: 0 }}>
          Đơn vị tiếp nhận hồ sơ
        </h2>
      </div>
      <p className="small muted">
        Trung tâm Phục vụ hành chính công tỉnh và các xã, phường, đặc khu nhận hồ sơ. Mã cơ quan là tiền tố của mã hồ sơ
        do đơn vị tiếp nhận. Cán bộ được gán đơn vị ở mục <Link to="/quan-tri/can-bo">Cán bộ</Link>.
      </p>
      <form className="filters admin-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Tìm theo tên, mã đơn vị
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </form>
      {units.status === "error" && <ErrorBox error={units.error} onRetry={reload} />}
      {units.status === "loading" && !units.value && <Loading />}
      {units.value && items.length === 0 && (
        <Empty>{units.value.length === 0 ? "Chưa có đơn vị tiếp nhận nào." : "Không có đơn vị nào khớp."}</Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Mã đơn vị</th>
                <th>Tên đơn vị</th>
                <th>Mã cơ quan</th>
                <th>Cấp</th>
                <th className="num">Cán bộ đang hoạt động</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.code}>
                  <td>
                    <code>{u.code}</code>
                  </td>
                  <td>{u.name}</td>
                  <td>
                    <code>{u.agencyCode}</code>
                  </td>
                  <td>{LEVEL_LABELS[u.level]}</td>
                  <td className="num">
                    {u.activeOfficials > 0 ? (
                      <Link
                        to={`/quan-tri/can-bo?don-vi=${encodeURIComponent(u.code)}`}
                        aria-label={`${u.activeOfficials} cán bộ đang hoạt động của ${u.name}`}
                      >
                        {u.activeOfficials}
                      </Link>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {units.value && (
        <p className="small muted">
          {units.value.length} đơn vị
          {withoutOfficials > 0 ? ` · ${withoutOfficials} đơn vị chưa có cán bộ đang hoạt động` : ""}
        </p>
      )}
    </section>
  );
}
