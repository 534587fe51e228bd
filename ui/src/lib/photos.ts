// Photos in the webview: reading a chosen file for the IPC, and the limits
// the engine applies, checked here first so a huge file is never sent.
import type { Photo } from "./types";

/** highland-engine's MAX_INPUT_BYTES: a larger file is refused unread. */
export const MAX_PHOTO_BYTES = 25 * 1024 * 1024;

/**
 * The file's bytes as base64, as `add_photo` takes them. The WebView's own
 * encoder (readAsDataURL) does the work: no byte loop in JavaScript.
 */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === "string" ? reader.result : "";
      const comma = url.indexOf(",");
      if (comma < 0) reject(new Error("not a data URL"));
      else resolve(url.slice(comma + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsDataURL(file);
  });
}

/**
 * Whether the WebView can open the camera by itself. On Android, a file input
 * with `capture` opens the camera directly and one without it opens the
 * gallery (wry's file chooser), so the strip offers both; on desktop both
 * would open the same file dialog.
 */
export function canTakePhotos(): boolean {
  return typeof navigator !== "undefined" && /Android/i.test(navigator.userAgent);
}

/** Each listing's first photo, by listing id (photos come oldest first). */
export function firstPhotos(photos: readonly Photo[]): Map<string, Photo> {
  const first = new Map<string, Photo>();
  for (const p of photos) {
    if (p.subject_kind === "listing" && !first.has(p.subject_id)) first.set(p.subject_id, p);
  }
  return first;
}

/** Whole kilobytes, rounded up, so "0 KB" is never shown while bytes remain. */
export function kilobytes(bytes: number): number {
  return Math.ceil(bytes / 1024);
}
