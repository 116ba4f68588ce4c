import { OFFICIAL_ROLE_LABELS, type OfficialRole } from "@qn/shared";
import { useState } from "react";
import { Button, Page, useNavigate } from "zmp-ui";
import { api, HELPER_ROLES } from "../api/client";
import { TopBar } from "../components/TopBar";

/**
 * Đăng nhập nộp thay: a volunteer of the youth teams or an officer of the one-stop counter signs in with the account
 * the province gave them, to file dossiers for citizens who ask for help (Chỉ thị 07, item 7).
 */
export default function HelperLoginPage() {
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError("Cần nhập tên đăng nhập và mật khẩu.");
      return;
    }
    setSending(true);
    setError(undefined);
    try {
      const session = await api.helperLogin(username.trim(), password);
      if (!HELPER_ROLES.includes(session.official.role)) {
        await api.helperLogout();
        const role = OFFICIAL_ROLE_LABELS[session.official.role as OfficialRole] ?? session.official.role;
        setError(
          `Tài khoản ${role.toLowerCase()} không nộp thay được. Chỉ tình nguyện viên và cán bộ một cửa nộp thay.`,
        );
        return;
      }
      navigate(-1);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Đăng nhập không thành công.");
    } finally {
      setSending(false);
    }
  };
  return (
    <Page className="screen">
      <TopBar title="Đăng nhập nộp thay" />
      <form className="detail" onSubmit={submit} noValidate>
        <p className="muted small">
          Dành cho tình nguyện viên hướng dẫn dịch vụ công và cán bộ bộ phận một cửa, với tài khoản do Trung tâm Phục vụ
          hành chính công cấp. Chỉ nộp thay khi công dân đồng ý.
        </p>
        <div className="field">
          <label htmlFor="helper-username" className="field__label">
            Tên đăng nhập
          </label>
          <input
            id="helper-username"
            autoComplete="username"
            autoCapitalize="none"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="helper-password" className="field__label">
            Mật khẩu
          </label>
          <input
            id="helper-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
        <Button fullWidth htmlType="submit" loading={sending}>
          Đăng nhập
        </Button>
      </form>
    </Page>
  );
}
