import { del, get, set } from "idb-keyval";
import { storage } from "../../zalo";
import { type Draft, restoreDraft, serialiseTyped } from "./draft";

/** Where a procedure's draft is kept on the device: typed fields in the app's storage, photos in IndexedDB. */
const draftKey = (code: string) => `draft:${code}`;
const photosKey = (code: string) => `draft-photos:${code}`;

export async function loadDraft(code: string): Promise<Draft | undefined> {
  const typed = await storage.get(draftKey(code)).catch(() => null);
  if (typed) {
    const files = await get<Draft["files"]>(photosKey(code)).catch(() => undefined);
    return restoreDraft(typed, files);
  }
  // Drafts saved before the split kept everything in IndexedDB under the typed fields' key.
  return get<Draft>(draftKey(code)).catch(() => undefined);
}

export async function saveDraft(code: string, draft: Draft): Promise<void> {
  await storage.set(draftKey(code), serialiseTyped(draft));
  await set(photosKey(code), draft.files);
}

export async function deleteDraft(code: string): Promise<void> {
  await Promise.all([storage.remove(draftKey(code)), del(photosKey(code)), del(draftKey(code))]);
}
