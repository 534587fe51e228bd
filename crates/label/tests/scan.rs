//! The scanner on a clean code and on paper with none. Pictures of real
//! printouts, photographed every way a tablet's camera takes them, are
//! highland-print's test (`crates/print/tests/scan_printed.rs`): they go
//! through the PDF the app prints.

use highland_label::Qr;
use highland_label::scan::{ScanError, decode_qr_image};
use image::{DynamicImage, GrayImage, Luma};

/// The code as printed: `module` pixels a module, on a sheet of paper
/// `margin` modules wider on each side than its quiet zone.
fn printed(text: &str, module: u32) -> GrayImage {
    let qr = Qr::new(text).unwrap();
    let side = qr.side() as u32;
    let margin = 6;
    let total = (side + 2 * margin) * module;
    GrayImage::from_fn(total, total, |x, y| {
        let (mx, my) = (x / module, y / module);
        let dark = mx >= margin
            && my >= margin
            && mx - margin < side
            && my - margin < side
            && qr.is_dark((mx - margin) as usize, (my - margin) as usize);
        Luma([if dark { 20 } else { 235 }])
    })
}

#[test]
fn a_clean_card_and_a_wrong_one_are_told_apart() {
    let text = "highland://enroll?hub=http://192.168.1.10:7878&code=K7QM-4XRP-Y";
    let clean = DynamicImage::ImageLuma8(printed(text, 6));
    assert_eq!(decode_qr_image(&clean).unwrap(), [text]);
    let paper = DynamicImage::ImageLuma8(GrayImage::from_pixel(400, 300, Luma([235])));
    assert!(matches!(decode_qr_image(&paper), Err(ScanError::NoCode)));
}
