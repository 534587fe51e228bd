//! Printable PDFs: sheets of lot labels (a QR code of the trace URL, the
//! product's name and the trace code), the certificate of compliance
//! slip, 承诺达标合格证, and a collection round's loading sheet. Its one job is turning values into pages a village
//! printer or a copy shop prints as they are.
//!
//! Text is Tibetan and Chinese, often in one name, so it is split into runs
//! by script, each shaped with its own font (rustybuzz, so Tibetan stacks
//! are built) and embedded as a subset with a ToUnicode map, so the text can
//! be searched and copied. Nothing is fetched: the fonts are the machine's
//! own ([`Fonts::system`]). QR codes are drawn as vector squares, sharp at
//! any printer's resolution.
//!
//! Text never leaves its box: it shrinks or wraps, and where even the
//! smallest legible size cannot hold it, the call fails with
//! [`PrintError::DoesNotFit`] rather than printing a label that lies.

mod certificate;
mod error;
mod fonts;
mod label_sheet;
mod loading_sheet;
mod qr;
mod save;
mod text;

pub use certificate::certificate_slip;
pub use error::PrintError;
pub use fonts::Fonts;
pub use label_sheet::{LabelItem, label_sheet};
pub use loading_sheet::{LoadingSheet, SheetLine, SheetStop, loading_sheet};
pub use save::save;

/// Points (the PDF's unit) in a millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

fn mm(millimetres: f32) -> f32 {
    millimetres * PT_PER_MM
}
