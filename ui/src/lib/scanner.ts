// The camera QR scanner exists only on Android (the barcode-scanner plugin is
// a mobile-only Tauri plugin). It is loaded on demand so desktop builds never
// run its code, and its absence is detected rather than assumed.

export function scannerAvailable(): boolean {
  return typeof navigator !== "undefined" && /Android/i.test(navigator.userAgent);
}

/** Opens the camera and returns the text of the first QR code, or null if cancelled. */
export async function scanQr(): Promise<string | null> {
  const scanner = await import("@tauri-apps/plugin-barcode-scanner");
  let permission = await scanner.checkPermissions();
  if (permission !== "granted") permission = await scanner.requestPermissions();
  if (permission !== "granted") return null;
  const result = await scanner.scan({ windowed: false, formats: [scanner.Format.QRCode] });
  return result.content;
}
