//! `highland certificate`: issue a certificate of compliance (承诺达标合格证)
//! for a lot and write its printable slip, through highland-seller, which
//! keeps the slip and the record standing or falling together.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use highland_domain::{CommitmentBasis, LotId, ShortText, Title, Unit};
use highland_engine::Store;
use highland_engine::views::CertificateView;
use highland_seller::{CertificateRequest, IssueError, SlipPlace};
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
    let request = CertificateRequest {
        lot_id,
        quantity: args.quantity.clone(),
        unit: explicit_unit,
        product,
        issuer,
        contact,
        basis,
    };
    let fonts = highland_print::Fonts::system()?;
    let issued = highland_seller::issue(store, request, &fonts, SlipPlace::File(&args.out))
        .map_err(explain)?;
    let (certificate, url) = (&issued.certificate, &issued.trace_url);

    if args.json {
        return print_json(&Issued {
            certificate: certificate.into(),
            trace_code: issued.trace_code.grouped(),
            trace_url: url,
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

/// Names the option to pass when the records could not fill a default.
fn explain(e: IssueError) -> anyhow::Error {
    let hint = match &e {
        IssueError::NotEnrolled => {
            "this device is not enrolled with a hub, and the certificate's QR code opens the \
             lot's page there; enroll first with `highland enroll --hub URL --code CODE`"
                .to_owned()
        }
        IssueError::UnknownLot(lot) => {
            format!("no lot {lot} on this device; see `highland lot list`")
        }
        IssueError::UnitUnknown { units } if units.is_empty() => {
            "no listing names this lot, so say what --quantity is in with --unit".to_owned()
        }
        IssueError::UnitUnknown { units } => format!(
            "this lot's listings are sold in {}; say which with --unit",
            units
                .iter()
                .map(|u| u.slug())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        IssueError::NeedsProduct => {
            "no single listing names this lot, so say what the product is with --product".to_owned()
        }
        IssueError::NeedsQuantity => {
            "no single listing names this lot, or its listing has no stock, so say how much with \
             --quantity"
                .to_owned()
        }
        IssueError::NeedsIssuer => "say who issues the certificate with --issuer".to_owned(),
        IssueError::Quantity(d) => format!("--quantity: {d}"),
        _ => return e.into(),
    };
    anyhow::anyhow!("{hint}")
}
