//! An enrollment code as a QR code in inline SVG: one path of unit squares,
//! with the standard four-module quiet zone, so it scans from a screen.

use highland_label::Qr;

/// The SVG of `text`'s QR code; `None` if the text is too long for one.
/// The markup holds only numbers of our own, never the text itself.
pub(crate) fn svg(text: &str, label: &str) -> Option<String> {
    Qr::new(text).ok().map(|qr| qr.svg(None, label))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_becomes_one_svg_with_dark_modules() {
        let svg = super::svg("K7QM-4XRP-Y", "QR \"code\"").unwrap();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("aria-label=\"QR &quot;code&quot;\""));
        assert!(svg.matches('M').count() > 50);
    }
}
