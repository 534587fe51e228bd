//! `highland certificate`: issue a certificate of compliance (承诺达标合格证)
//! for a lot and write its printable slip.
//!
//! The slip and the record stand or fall together. The slip is rendered
//! and written (to a hidden file beside `--out`, then renamed into place)
//! inside the transaction that records the certificate, before it commits:
//! bad input, a missing font or a full disk records nothing, and if the
//! commit itself fails the slip is removed again. So an error never leaves a
//! certificate issued without its slip, and running the command again after
//! one never issues a certificate twice.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use highland_domain::{
    Certificate, CommitmentBasis, DomainError, LotId, Quantity, ShortText, Title, TraceCode, Unit,
};
use highland_engine::views::CertificateView;
use highland_engine::{NewCertificate, Store, StoreError};
use highland_label::trace_url;
use serde::Serialize;

use super::print_json;

#[derive(Debug, Args)]
pub struct CertificateArgs {
    /// The lot's id (from `highland lot list`)
    #[arg(long, value_name = "ID")]
    lot: String,
    /// Where to write the slip: a .pdf file
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// How much (default: the stock of the lot's listing), such as 5, 2.5 or "3 jin"
    #[arg(long)]
    quantity: Option<String>,
    /// The unit of --quantity (default: the unit of the lot's listings)
    #[arg(long, requires = "quantity")]
    unit: Option<String>,
    /// The product's name (default: the title of the lot's listing)
    #[arg(long)]
    product: Option<String>,
    /// Who issues it (default: the seller's name from enrollment)
    #[arg(long)]
    issuer: Option<String>,
    /// A phone number or address printed on the slip
    #[arg(long)]
    contact: Option<String>,
    /// What the promise rests on: lab_test, self_test, quality_control or own_word
    #[arg(long, default_value = "own_word")]
    basis: String,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Issued<'a> {
    #[serde(flatten)]
    certificate: CertificateView,
    trace_code: String,
    trace_url: &'a str,
    file: &'a Path,
}

pub fn run(store: &mut Store, args: CertificateArgs) -> anyhow::Result<()> {
    let lot_id: LotId = args.lot.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "--lot: {:?} is not a lot id; see `highland lot list`",
            args.lot
        )
    })?;
    let is_pdf = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if !is_pdf {
        anyhow::bail!("--out must be a .pdf file, not {}", args.out.display());
    }
    let basis: CommitmentBasis = args.basis.parse().context("--basis")?;
    let product = args
        .product
        .as_deref()
        .map(Title::parse)
        .transpose()
        .context("--product")?;
    let issuer = args
        .issuer
        .as_deref()
        .map(ShortText::parse)
        .transpose()
        .context("--issuer")?;
    let contact = args
        .contact
        .as_deref()
        .map(ShortText::parse)
        .transpose()
        .context("--contact")?;
    let explicit_unit = args
        .unit
        .as_deref()
        .map(str::parse::<Unit>)
        .transpose()
        .context("--unit")?;
    if !store.lots()?.iter().any(|l| l.id == lot_id.to_string()) {
        anyhow::bail!("no lot {lot_id} on this device; see `highland lot list`");
    }
    // The slip's QR code opens the lot's page on the hub, so its address
    // comes from enrollment; the hub need not be reachable now.
    let hub = store.enrollment()?.context(
        "this device is not enrolled with a hub, and the certificate's QR code opens the \
         lot's page there; enroll first with `highland enroll --hub URL --code CODE`",
    )?;
    let quantity = match &args.quantity {
        Some(text) => {
            let unit = match explicit_unit {
                Some(unit) => unit,
                None => unit_of_lot(store, lot_id)?,
            };
            Some(Quantity::parse(text, unit).context("--quantity")?)
        }
        None => None,
    };
    let fonts = highland_print::Fonts::system()?;
    let code = TraceCode::of_lot(lot_id);
    let url = trace_url(&hub.hub_url, &code);

    let new = NewCertificate {
        lot_id,
        quantity,
        product,
        issuer,
        contact,
        basis,
        issued_on: None,
    };
    let mut written = false;
    let issued = store.issue_certificate_and(new, |certificate| {
        write_slip(&fonts, certificate, &url, &args.out)?;
        written = true;
        Ok::<_, anyhow::Error>(())
    });
    let certificate = match issued {
        Ok((certificate, ())) => certificate,
        Err(e) => {
            if written {
                // The commit failed after the slip was in place.
                let _ = fs::remove_file(&args.out);
            }
            return Err(explain(e, &args));
        }
    };

    if args.json {
        return print_json(&Issued {
            certificate: (&certificate).into(),
            trace_code: code.grouped(),
            trace_url: &url,
            file: &args.out,
        });
    }
    println!("{}", args.out.display());
    println!("  certificate  {}", certificate.id);
    println!("  product      {}", certificate.product);
    println!("  quantity     {}", certificate.quantity);
    println!("  issued on    {}", certificate.issued_on);
    println!("  trace page   {url}");
    Ok(())
}

/// Names the option to pass when the store could not fill a default.
fn explain(e: anyhow::Error, args: &CertificateArgs) -> anyhow::Error {
    let hint = match e.downcast_ref::<StoreError>() {
        Some(StoreError::Invalid(DomainError::Empty { field: "product" })) => {
            "no single listing names this lot, so say what the product is with --product"
        }
        Some(StoreError::Invalid(DomainError::Empty { field: "quantity" })) => {
            "no single listing names this lot, so say how much with --quantity"
        }
        Some(StoreError::Invalid(DomainError::NotPositive { .. })) if args.quantity.is_none() => {
            "the lot's listing has no stock, so say how much with --quantity"
        }
        Some(StoreError::Invalid(DomainError::Empty { field: "issuer" })) => {
            "say who issues the certificate with --issuer"
        }
        _ => return e,
    };
    anyhow::anyhow!("{hint}")
}

/// The unit the lot's listings are sold in, for reading --quantity.
fn unit_of_lot(store: &Store, lot_id: LotId) -> anyhow::Result<Unit> {
    match store.units_of_lot(lot_id)?.as_slice() {
        [one] => Ok(*one),
        [] => anyhow::bail!("no listing names this lot, so say what --quantity is in with --unit"),
        several => anyhow::bail!(
            "this lot's listings are sold in {}; say which with --unit",
            several
                .iter()
                .map(|u| u.slug())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

/// Renders the slip and puts it at `out` whole: written beside it under a
/// hidden name, then renamed, so `out` is never half a PDF.
fn write_slip(
    fonts: &highland_print::Fonts,
    certificate: &Certificate,
    url: &str,
    out: &Path,
) -> anyhow::Result<()> {
    let pdf = highland_print::certificate_slip(fonts, certificate, url)?;
    highland_print::save(&pdf, out).with_context(|| format!("cannot write {}", out.display()))
}
