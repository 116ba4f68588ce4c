type Props = { title: string; onBack?: () => void };

/** The screen's title bar, with a back button when there is somewhere to go back to. */
export function TopBar({ title, onBack }: Props) {
  return (
    <header className="top-bar">
      {onBack && (
        <button type="button" className="top-bar__back" onClick={onBack} aria-label="Quay lại">
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
            <path d="M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z" fill="currentColor" />
          </svg>
        </button>
      )}
      <h1 className="top-bar__title">{title}</h1>
    </header>
  );
}
