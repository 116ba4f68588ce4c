/**
 * The zmp-sdk APIs the app uses, named one by one so that the bundler keeps only these (a dynamic
 * `import("zmp-sdk/apis")` keeps the whole SDK, ~59 KB gzipped). Imported only by `zalo.ts`, on demand.
 * The in-Zalo tests replace this module, and only this module, with a scripted double of the same shape
 * (`tests/zalo-double/`, decision 0012).
 */
export {
  checkTransaction,
  chooseImage,
  createOrder,
  createShortcut,
  downloadFile,
  EventName,
  events,
  followOA,
  getAccessToken,
  getPhoneNumber,
  getRouteParams,
  nativeStorage,
  openChat,
  openDocument,
  openMediaPicker,
  openShareSheet,
  openWebview,
  requestSendNotification,
  scanQRCode,
  setNavigationBarLeftButton,
  setNavigationBarTitle,
} from "zmp-sdk/apis";
