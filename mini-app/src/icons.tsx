/** The icons the app needs, inline: zmp-ui's icon font loads from Zalo's CDN and shows as text offline (ZALO.md §7). */
const paths: Record<string, string> = {
  home: "M4 11 12 4l8 7v9h-5v-6H9v6H4z",
  folder: "M3 6h6l2 2h10v11H3z",
  bell: "M12 22a2.5 2.5 0 0 0 2.4-2h-4.8A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3h-3v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z",
  user: "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z",
  search:
    "M10.5 4a6.5 6.5 0 1 0 4 11.6l4.4 4.4 1.4-1.4-4.4-4.4A6.5 6.5 0 0 0 10.5 4zm0 2a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9z",
  back: "M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z",
  camera:
    "M9 4 7.5 6H4v13h16V6h-3.5L15 4zm3 4a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z",
  image: "M4 5h16v14H4zm2 12h12l-4-5-3 3.5-2-2.5z",
  check: "M9.5 16.2 5.3 12l-1.4 1.4 5.6 5.6L20.1 8.4 18.7 7z",
  clock: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 2a7 7 0 1 1 0 14 7 7 0 0 1 0-14zm-1 2v6l5 3 1-1.7-4-2.3V7z",
  alert: "M12 3 2 20h20zm-1 6h2v5h-2zm0 7h2v2h-2z",
  chat: "M4 4h16v12H7l-3 3z",
  qr: "M4 4h6v6H4zm2 2v2h2V6zm8-2h6v6h-6zm2 2v2h2V6zM4 14h6v6H4zm2 2v2h2v-2zm8-2h2v2h-2zm2 2h2v2h-2zm2 2h2v2h-2zm-4 0h2v2h-2zm4-4h2v2h-2z",
  news: "M4 5h13v14H6a2 2 0 0 1-2-2zm13 3h3v9a2 2 0 0 1-2 2h-1zM7 8h7v2H7zm0 4h7v2H7z",
  help: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 14.5a1.2 1.2 0 1 1 0-2.4 1.2 1.2 0 0 1 0 2.4zm1.2-4.6V14h-2.4v-2c0-1 .8-1.5 1.5-2 .6-.4 1-.7 1-1.3a1.3 1.3 0 0 0-2.6 0H8.3a3.7 3.7 0 0 1 7.4 0c0 1.5-1 2.2-1.7 2.7-.5.3-.8.5-.8.5z",
  trash: "M9 3h6l1 2h4v2H4V5h4zm-3 5h12l-1 13H7z",
  file: "M6 2h9l5 5v15H6zm8 1.5V8h4.5",
  star: "M12 3.5 14.6 9l6 .6-4.5 4 1.3 5.9L12 16.6 6.6 19.5 7.9 13.6 3.4 9.6l6-.6z",
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 22, title }: { name: IconName; size?: number; title?: string }) {
  return (
    // biome-ignore lint/a11y/noSvgWithoutTitle: decorative icons are aria-hidden; meaningful ones get a <title>.
    <svg
      viewBox="0 0 24 24"
      width={size}
      height={size}
      aria-hidden={title ? undefined : true}
      role={title ? "img" : undefined}
    >
      {title && <title>{title}</title>}
      <path d={paths[name]} fill="currentColor" />
    </svg>
  );
}
