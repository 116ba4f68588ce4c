import { useNavigate } from "zmp-ui";
import { Icon } from "../icons";

type Props = { title: string; back?: boolean };

/** The screen's title bar, with a back button on every screen but the home screen: no dead ends. */
export function TopBar({ title, back = true }: Props) {
  const navigate = useNavigate();
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
