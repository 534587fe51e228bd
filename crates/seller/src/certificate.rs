//! Issuing a certificate of compliance (承诺达标合格证) for a lot, with its
//! printable slip.
//!
//! The slip and the record stand or fall together. The slip is rendered
//! and written (under a hidden name, then renamed into place) inside the
//! transaction that records the certificate, before it commits: bad input,
//! a missing font or a full disk records nothing, and if the commit itself
//! fails the slip is removed again. So an error never leaves a certificate
//! issued without its slip, and issuing again after one never issues a
//! certificate twice.

use std::io;
use std::path::{Path, PathBuf};

use highland_domain::{
    Certificate, CommitmentBasis, DomainError, LotId, Quantity, ShortText, Title, TraceCode, Unit,
};
use highland_engine::{NewCertificate, Store, StoreError};
use highland_print::{Fonts, PrintError};

/// What the seller asked for; every part but the lot may be left to the
/// records (the lot's listing's title and stock, the enrolled seller).
#[derive(Debug, Clone)]
pub struct CertificateRequest {
    pub lot_id: LotId,
    /// How much, as typed; read in `unit`, or in the unit the lot's
    /// listings are sold in.
    pub quantity: Option<String>,
    pub unit: Option<Unit>,
    pub product: Option<Title>,
    pub issuer: Option<ShortText>,
    pub contact: Option<ShortText>,
    pub basis: CommitmentBasis,
}

/// Where the slip goes.
#[derive(Debug, Clone, Copy)]
pub enum SlipPlace<'a> {
    /// Exactly this file, as the seller named it.
    File(&'a Path),
    /// A file named for the certificate in this folder (made if missing):
    /// `承诺达标合格证-2026-09-14-1a2b3c4d.pdf`.
    Folder(&'a Path),
}

/// A certificate recorded, and where its slip is.
#[derive(Debug, Clone)]
pub struct IssuedCertificate {
    pub certificate: Certificate,
    pub file: PathBuf,
    /// The lot's trace page, which the slip's QR code opens.
    pub trace_url: String,
    pub trace_code: TraceCode,
}

/// Why nothing was issued. Nothing is recorded and no slip is left behind.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error(
        "this device is not enrolled with a hub, and the certificate's QR code opens the lot's \
         page there; enroll first"
    )]
    NotEnrolled,
    #[error("no lot {0} on this device")]
    UnknownLot(LotId),
    /// A quantity typed with no unit, for a lot sold in no unit or several.
    #[error("the lot's listings are sold in {units:?}; say which unit the quantity is in")]
    UnitUnknown { units: Vec<Unit> },
    #[error("no single listing names this lot, so say what the product is")]
    NeedsProduct,
    #[error("no single listing names this lot, or it has no stock, so say how much")]
    NeedsQuantity,
    #[error("say who issues the certificate")]
    NeedsIssuer,
    /// The quantity as typed is not one.
    #[error("quantity: {0}")]
    Quantity(DomainError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Print(#[from] PrintError),
    #[error("cannot write {}: {source}", path.display())]
    Slip {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl From<StoreError> for IssueError {
    /// The defaults the records could not fill, said as what to type.
    fn from(e: StoreError) -> IssueError {
        match e {
            StoreError::Invalid(DomainError::Empty { field: "product" }) => {
                IssueError::NeedsProduct
            }
            StoreError::Invalid(DomainError::Empty { field: "quantity" }) => {
                IssueError::NeedsQuantity
            }
            StoreError::Invalid(DomainError::Empty { field: "issuer" }) => IssueError::NeedsIssuer,
            other => IssueError::Store(other),
        }
    }
}

/// Issues the certificate `request` asks for and writes its slip to
/// `place`, set in `fonts`, its QR code opening the lot's page on the hub
/// this device is enrolled with (which need not be reachable now).
pub fn issue(
    store: &mut Store,
    request: CertificateRequest,
    fonts: &Fonts,
    place: SlipPlace<'_>,
) -> Result<IssuedCertificate, IssueError> {
    let lot_id = request.lot_id;
    if !store.lots()?.iter().any(|l| l.id == lot_id.to_string()) {
        return Err(IssueError::UnknownLot(lot_id));
    }
    let hub = store.enrollment()?.ok_or(IssueError::NotEnrolled)?.hub_url;
    let quantity = match &request.quantity {
        Some(text) => {
            let unit = match request.unit {
                Some(unit) => unit,
                None => unit_of_lot(store, lot_id)?,
            };
            Some(Quantity::parse(text, unit).map_err(IssueError::Quantity)?)
        }
        None => None,
    };
    let quantity_given = quantity.is_some();
    let trace_code = TraceCode::of_lot(lot_id);
    let trace_url = highland_label::trace_url(&hub, &trace_code);
    let new = NewCertificate {
        lot_id,
        quantity,
        product: request.product,
        issuer: request.issuer,
        contact: request.contact,
        basis: request.basis,
        issued_on: None,
    };
    let mut written = None;
    let issued = store.issue_certificate_and(new, |certificate| {
        let path = write_slip(fonts, certificate, &trace_url, place)?;
        written = Some(path.clone());
        Ok::<_, IssueError>(path)
    });
    match issued {
        Ok((certificate, file)) => Ok(IssuedCertificate {
            certificate,
            file,
            trace_url,
            trace_code,
        }),
        Err(e) => {
            if let Some(path) = written {
                // The commit failed after the slip was in place.
                let _ = std::fs::remove_file(path);
            }
            Err(match e {
                // The listing's stock, taken as the default, is nothing.
                IssueError::Store(StoreError::Invalid(DomainError::NotPositive { .. }))
                    if !quantity_given =>
                {
                    IssueError::NeedsQuantity
                }
                other => other,
            })
        }
    }
}

/// The unit the lot's listings are sold in, for reading a typed quantity.
fn unit_of_lot(store: &Store, lot_id: LotId) -> Result<Unit, IssueError> {
    match store.units_of_lot(lot_id)?.as_slice() {
        [one] => Ok(*one),
        units => Err(IssueError::UnitUnknown {
            units: units.to_vec(),
        }),
    }
}

/// Renders the slip and puts it in place whole: written under a hidden
/// name, then renamed, so the file is never half a PDF. Returns its path.
fn write_slip(
    fonts: &Fonts,
    certificate: &Certificate,
    url: &str,
    place: SlipPlace<'_>,
) -> Result<PathBuf, IssueError> {
    let pdf = highland_print::certificate_slip(fonts, certificate, url)?;
    let path = match place {
        SlipPlace::File(file) => file.to_owned(),
        SlipPlace::Folder(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| IssueError::Slip {
                path: dir.to_owned(),
                source,
            })?;
            let id = certificate.id.to_string();
            let short = &id[id.len().saturating_sub(8)..];
            dir.join(format!(
                "承诺达标合格证-{}-{short}.pdf",
                certificate.issued_on
            ))
        }
    };
    highland_print::save(&pdf, &path).map_err(|source| IssueError::Slip {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
