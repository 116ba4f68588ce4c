import { type FormEvent, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { ApiClientError, post, type Session } from "../api";
import { ErrorBox } from "../common";
import { useSession } from "../session";

export function LoginPage() {
  const { session, signIn, ended } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  if (session) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError("Vui lòng nhập tên đăng nhập và mật khẩu.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await post<{ token: string; official: Session["official"] }>("/officials/login", {
        username: username.trim(),
        password,
      });
      signIn({ token: res.token, official: res.official });
      navigate(from, { replace: true });
    } catch (err) {
      setError(err instanceof ApiClientError ? err.message : "Không đăng nhập được. Vui lòng thử lại.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login__card" onSubmit={submit} noValidate>
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            QN
          </span>
          <span>
            <strong>Dịch vụ công Quảng Ninh</strong>
            <small>Bàn làm việc cán bộ</small>
          </span>
        </div>
        <h1>Đăng nhập</h1>
        {ended && !error && <p className="alert alert--info">Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.</p>}
        {error && <ErrorBox error={error} />}
        <label className="field">
          <span>Tên đăng nhập</span>
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
        </label>
        <label className="field">
          <span>Mật khẩu</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        </label>
        <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
          {busy ? "Đang đăng nhập…" : "Đăng nhập"}
        </button>
        <p className="muted small">
          Tài khoản do quản trị viên cấp. Nhập sai nhiều lần, bạn sẽ phải chờ một lúc trước khi thử lại; quản trị viên
          được báo khi một tài khoản bị nhập sai liên tiếp.
        </p>
      </form>
    </main>
  );
}
