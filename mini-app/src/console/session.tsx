import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { post, type Session, savedSession, saveSession, whenSignedOut } from "./api";

type SessionState = {
  session: Session | null;
  signIn: (session: Session) => void;
  signOut: () => Promise<void>;
  /** Set when the server ended the session (expired, revoked): the login screen says so. */
  ended: boolean;
};

const Context = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(savedSession);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    whenSignedOut(() => {
      setSession(null);
      setEnded(true);
    });
  }, []);
  const value: SessionState = {
    session,
    ended,
    signIn: (s) => {
      saveSession(s);
      setEnded(false);
      setSession(s);
    },
    signOut: async () => {
      try {
        await post("/auth/logout");
      } catch {
        // Signing out locally is what matters; the server's session expires on its own.
      }
      saveSession(null);
      setSession(null);
    },
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(Context);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

export const ROLE_LABELS: Record<Session["official"]["role"], string> = {
  official: "Cán bộ xử lý",
  hcc: "Cán bộ Trung tâm Phục vụ hành chính công",
  volunteer: "Tình nguyện viên",
  admin: "Quản trị hệ thống",
};
