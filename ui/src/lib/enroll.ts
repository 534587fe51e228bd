// Reading what an enrollment QR code holds. The hub prints either
// `highland://enroll?hub=<url>&code=<code>` (when it knows its own address)
// or the bare code (crates/hub/src/admin.rs, `enrollment_text`).

export interface ScannedEnrollment {
  hubUrl: string | null;
  code: string;
}

/** Codes use digits and A..Y without I, L, O and U, in groups split by dashes. */
const CODE = /^[0-9A-HJKMNP-TV-Y]+(?:-[0-9A-HJKMNP-TV-Y]+)*$/;

export function parseEnrollmentQr(text: string): ScannedEnrollment | null {
  const s = text.trim();
  if (s.toLowerCase().startsWith("highland://enroll")) {
    const q = s.indexOf("?");
    if (q < 0) return null;
    const params = new URLSearchParams(s.slice(q + 1));
    const code = params.get("code")?.trim().toUpperCase() ?? "";
    const hub = params.get("hub")?.trim() ?? "";
    if (!CODE.test(code)) return null;
    return { hubUrl: hub === "" ? null : hub, code };
  }
  const code = s.toUpperCase();
  return CODE.test(code) ? { hubUrl: null, code } : null;
}

/**
 * What the seller typed as a hub address, trimmed. A missing scheme is the
 * engine's to add (highland-domain's hub_url::with_scheme: http:// on the
 * room's network, https:// elsewhere), so the app and the command line
 * follow one rule.
 */
export function normaliseHubUrl(input: string): string {
  return input.trim().replace(/\/+$/, "");
}
