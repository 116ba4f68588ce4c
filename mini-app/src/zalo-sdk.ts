/**
 * The zmp-sdk APIs the app uses, named one by one so that the bundler keeps only these (a dynamic
 * `import("zmp-sdk/apis")` keeps the whole SDK, ~59 KB gzipped). Imported only by `zalo.ts`, on demand.
 */
export {
  chooseImage,
  followOA,
  getAccessToken,
  getPhoneNumber,
  nativeStorage,
  openChat,
  openWebview,
  scanQRCode,
} from "zmp-sdk/apis";
