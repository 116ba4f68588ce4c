/**
 * The API client for the screens of the first paint (home, bottom navigation): loaded after they render, so that
 * the schema library the client parses with is not part of the home screen's initial JavaScript.
 */
export const lazyApi = () => import("./client").then((m) => m.api);
