import type { Procedure } from "@qn/shared";
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { useErrorSnackbar } from "../../hooks/useErrorSnackbar";
import { Icon } from "../../icons";
import { photoHint } from "../../photo-hints";
import { pickImages } from "../../zalo";
import type { StepProps } from "./fields";

/** Step 3, Giấy tờ: a photo or a file for each document of the procedure, with previews. */
export function DocumentsStep({ draft, update, errors = {}, procedure }: StepProps & { procedure: Procedure }) {
  const showError = useErrorSnackbar();
  const add = async (index: number, source: "camera" | "gallery") => {
    try {
      // The server's limit, checked before anything is uploaded.
      const { maxUploadBytes } = await api.appConfig();
      const picked = await pickImages(source, 5, maxUploadBytes);
      if (picked.length > 0) {
        update((current) => ({
          files: { ...current.files, [index]: [...(current.files[index] ?? []), ...picked] },
        }));
      }
    } catch (error) {
      showError(error, "Không mở được máy ảnh hoặc thư viện ảnh.");
    }
  };
  const remove = (index: number, k: number) =>
    update({ files: { ...draft.files, [index]: (draft.files[index] ?? []).filter((_, i) => i !== k) } });
  if (procedure.documents.length === 0) {
    return (
      <p className="notice">
        Thủ tục này chưa công bố thành phần hồ sơ. Bạn có thể tiếp tục; cán bộ sẽ hướng dẫn bổ sung nếu cần.
      </p>
    );
  }
  return (
    <section aria-label="Giấy tờ">
      <p className="muted small">Chụp rõ từng giấy tờ, đủ 4 góc. Ảnh JPEG, PNG hoặc tệp PDF, tối đa 10 MB mỗi tệp.</p>
      <ul className="checklist">
        {procedure.documents.map((doc, index) => {
          const files = draft.files[index] ?? [];
          return (
            <li key={doc.name} className={files.length > 0 ? "checklist__item is-done" : "checklist__item"}>
              <div className="checklist__head">
                <span className="checklist__status">
                  {files.length > 0 ? <Icon name="check" title="Đã có" /> : <span aria-hidden="true">○</span>}
                </span>
                <span>
                  {doc.name}
                  <span className="checklist__meta">
                    {doc.required ? "Bắt buộc" : "Nếu có"} · {doc.copies} bản
                  </span>
                  <span className="checklist__hint">{photoHint(doc.name)}</span>
                </span>
              </div>
              {files.length > 0 && (
                <div className="previews">
                  {files.map((file, k) => (
                    <Preview
                      key={`${file.name}-${file.size}-${file.lastModified}`}
                      file={file}
                      onRemove={() => remove(index, k)}
                    />
                  ))}
                </div>
              )}
              <div className="checklist__actions">
                <button
                  type="button"
                  className="pill"
                  onClick={() => add(index, "camera")}
                  aria-label={`Chụp ảnh: ${doc.name}`}
                >
                  <Icon name="camera" size={18} /> Chụp ảnh
                </button>
                <button
                  type="button"
                  className="pill"
                  onClick={() => add(index, "gallery")}
                  aria-label={`Chọn từ thư viện: ${doc.name}`}
                >
                  <Icon name="image" size={18} /> Thư viện
                </button>
              </div>
              {errors[`doc${index}`] && (
                <p className="field__error" role="alert">
                  {errors[`doc${index}`]}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Preview({ file, onRemove }: { file: File; onRemove: () => void }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return (
    <figure className="preview">
      {file.type === "application/pdf" ? (
        <div className="preview__pdf">PDF</div>
      ) : (
        url && <img src={url} alt={`Ảnh ${file.name}`} />
      )}
      <button type="button" className="preview__remove" onClick={onRemove} aria-label={`Xóa ${file.name}`}>
        <Icon name="trash" size={16} />
      </button>
    </figure>
  );
}
