/**
 * The API's origin, fixed at build time by `MINI_APP_API_URL` (README, "Deploying to Zalo"; decision 0012). Inside
 * Zalo the app is served from Zalo's own host (`https://h5.zdn.vn`), so a relative `/api/…` would reach Zalo, not the
 * bot server: the Zalo build names the server's absolute origin. Empty means same origin (the bot server serves the
 * app itself: `npm start`, development, the desktop browser). This is the only place that reads the setting.
 */
declare const __MINI_APP_API_URL__: string | undefined;

/** The officials' console is built without the setting (it is always served by the bot server): same origin. */
export const API_ORIGIN: string = typeof __MINI_APP_API_URL__ === "string" ? __MINI_APP_API_URL__ : "";

/** The absolute URL of an API path such as `/api/procedures` (unchanged when the API is on the same origin). */
export const apiUrl = (path: string): string => `${API_ORIGIN}${path}`;
