import { useEffect } from "react";
import { useNavigate } from "zmp-ui";
import { Icon } from "../icons";
import { setNativeTitle, zaloNativeHeader } from "../zalo";

type Props = { title: string; back?: boolean };

/**
 * The screen's title bar, with a back button on every screen but the first ones: no dead ends. Inside Zalo, when
 * app-config.json asks for Zalo's own navigation bar, that bar shows the title and the back button instead, and the
 * title stays in the page for screen readers.
 */
export function TopBar({ title, back = true }: Props) {
  const navigate = useNavigate();
  const native = zaloNativeHeader();
  useEffect(() => {
    if (native) void setNativeTitle(title, back);
  }, [native, title, back]);
  if (native) return <h1 className="visually-hidden">{title}</h1>;
  return (
    <header className="top-bar">
      {back && (
        <button type="button" className="top-bar__back" onClick={() => navigate(-1)} aria-label="Quay lại">
          <Icon name="back" size={24} />
        </button>
      )}
      <h1 className="top-bar__title">{title}</h1>
    </header>
  );
}
