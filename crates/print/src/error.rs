use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "no {script} font on this machine (looked in {}); on Debian install the package {}",
        list(.looked_in),
        debian_package(.script)
    )]
    FontMissing {
        script: &'static str,
        looked_in: Vec<PathBuf>,
    },
    #[error("cannot use the font {path}: {reason}")]
    Font { path: PathBuf, reason: String },
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
    #[error(transparent)]
    Qr(#[from] highland_label::LabelError),
    #[error("label {index} has no URL for its QR code")]
    EmptyUrl { index: usize },
    #[error("the certificate has no trace URL for its QR code")]
    CertificateWithoutUrl,
    #[error("label {index} has {count} extra lines; a label has room for {max}")]
    TooManyLines {
        index: usize,
        count: usize,
        max: usize,
    },
    #[error("{what} does not fit even at {min_pt} pt; shorten it: {text:?}")]
    DoesNotFit {
        what: String,
        text: String,
        min_pt: f32,
    },
}

/// The Debian package that puts the font for `script` where
/// [`crate::Fonts::system`] looks.
fn debian_package(script: &str) -> &'static str {
    match script {
        "Tibetan" => "fonts-noto-core",
        _ => "fonts-noto-cjk",
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
