//! An enrollment code as a QR code in inline SVG: one path of unit squares,
//! with the standard four-module quiet zone, so it scans from a screen.

use qrcode::{Color, QrCode};

const QUIET: usize = 4;

/// The SVG of `text`'s QR code; `None` if the text is too long for one.
/// The markup holds only numbers of our own, never the text itself.
pub(crate) fn svg(text: &str, label: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let size = width + 2 * QUIET;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let label = maud::html! { (label) }.into_string();
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{label}\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
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
