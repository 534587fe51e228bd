//! Certificates of compliance (承诺达标合格证): the seller issues one for a
//! lot, on the device and offline. A certificate is a fact, never edited or
//! deleted; it syncs to the hub like a sale.

use chrono::{FixedOffset, NaiveDate};
use highland_domain::quantity::format_in;
use highland_domain::{
    Certificate, CertificateId, CommitmentBasis, DomainError, LotId, Operation, Payload, Quantity,
    ShortText, Title, Unit,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::rows::parse;
use crate::views::CertificateView;
use crate::{Result, Store, StoreError, listings};

/// China Standard Time, the legal time wherever the certificate applies:
/// "today" on a certificate is today there, whatever the device's zone.
const CHINA_STANDARD_TIME_S: i32 = 8 * 3600;

/// A certificate about to be issued. What is `None` takes its default from
/// the records, as the fields say.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub lot_id: LotId,
    /// Default: the stock of the one listing that names the lot; required
    /// when none or several do. When listings name the lot, the unit must be
    /// of the same kind as theirs (weight, volume or count).
    pub quantity: Option<Quantity>,
    /// Default: the title of the one listing that names the lot; required
    /// when none or several do.
    pub product: Option<Title>,
    /// Default: the seller's name from enrollment; required on a device
    /// that is not enrolled.
    pub issuer: Option<ShortText>,
    pub contact: Option<ShortText>,
    pub basis: CommitmentBasis,
    /// Default: today by the store's clock, in China Standard Time.
    pub issued_on: Option<NaiveDate>,
}

impl Store {
    /// Issues a certificate: refuses a lot this device does not know
    /// ([`StoreError::UnknownLot`]) and a quantity of the wrong kind of unit,
    /// fills the defaults, records it and returns it.
    pub fn issue_certificate(&mut self, new: NewCertificate) -> Result<Certificate> {
        self.issue_certificate_and(new, |_| Ok::<_, StoreError>(()))
            .map(|(certificate, ())| certificate)
    }

    /// [`Store::issue_certificate`], with `keep` run on the certificate
    /// before it is committed, such as printing its slip. When `keep` fails
    /// nothing is recorded, so a retry never issues the certificate twice,
    /// and a certificate recorded always had `keep` succeed.
    pub fn issue_certificate_and<T, E: From<StoreError>>(
        &mut self,
        new: NewCertificate,
        keep: impl FnOnce(&Certificate) -> std::result::Result<T, E>,
    ) -> std::result::Result<(Certificate, T), E> {
        let seller = self.enrollment()?.map(|e| e.seller_name);
        let today = self
            .now()
            .with_timezone(&FixedOffset::east_opt(CHINA_STANDARD_TIME_S).expect("a valid offset"))
            .date_naive();
        let (_, (certificate, kept)) = self.record_and(
            |tx| {
                let certificate = resolve(tx, new, seller.as_deref(), today)?;
                Ok(vec![Payload::CertificateIssued { certificate }])
            },
            |ops| {
                let certificate = issued(ops)?;
                let kept = keep(&certificate)?;
                Ok::<_, E>((certificate, kept))
            },
        )?;
        Ok((certificate, kept))
    }

    /// The units the lot's listings are sold in, each once: what a quantity
    /// typed for its certificate without a unit is in, when there is one.
    pub fn units_of_lot(&self, lot: LotId) -> Result<Vec<Unit>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT unit FROM listings WHERE lot_id = ?1 ORDER BY unit")?;
        let units = stmt.query_and_then([lot.to_string()], |r| parse(&r.get::<_, String>(0)?))?;
        units.collect()
    }

    /// The certificates of one lot, or of every lot; newest first.
    pub fn certificates(&self, lot: Option<LotId>) -> Result<Vec<CertificateView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, lot_id, product, quantity, unit, origin, issuer, contact, issued_on, basis
             FROM certificates
             WHERE ?1 IS NULL OR lot_id = ?1
             ORDER BY hlc DESC, id DESC",
        )?;
        let rows = stmt.query_and_then([lot.map(|l| l.to_string())], |r| {
            let unit: Unit = parse(&r.get::<_, String>(4)?)?;
            let quantity: i64 = r.get(3)?;
            Ok(CertificateView {
                id: r.get(0)?,
                lot_id: r.get(1)?,
                product: r.get(2)?,
                quantity,
                quantity_unit: unit.base().slug().to_owned(),
                unit: unit.slug().to_owned(),
                quantity_display: format_in(quantity, unit),
                origin: r.get(5)?,
                issuer: r.get(6)?,
                contact: r.get(7)?,
                issued_on: r.get(8)?,
                basis: r.get(9)?,
            })
        })?;
        rows.collect()
    }
}

impl From<&Certificate> for CertificateView {
    fn from(c: &Certificate) -> CertificateView {
        let unit = c.quantity.unit();
        CertificateView {
            id: c.id.to_string(),
            lot_id: c.lot_id.to_string(),
            product: c.product.as_str().to_owned(),
            quantity: c.quantity.base(),
            quantity_unit: unit.base().slug().to_owned(),
            unit: unit.slug().to_owned(),
            quantity_display: format_in(c.quantity.base(), unit),
            origin: c.origin.as_str().to_owned(),
            issuer: c.issuer.as_str().to_owned(),
            contact: c.contact.as_ref().map(|t| t.as_str().to_owned()),
            issued_on: c.issued_on.format("%Y-%m-%d").to_string(),
            basis: c.basis.slug().to_owned(),
        }
    }
}

/// The certificate among a write's operations.
fn issued(ops: &[Operation]) -> Result<Certificate> {
    ops.iter()
        .find_map(|op| match &op.payload {
            Payload::CertificateIssued { certificate } => Some(certificate.clone()),
            _ => None,
        })
        .ok_or_else(|| StoreError::BadRecord("a certificate write made no certificate".into()))
}

/// A listing that names the lot: its title and unit.
struct Named {
    title: String,
    unit: Unit,
    id: String,
}

/// Checks `new` against the records and fills its defaults.
fn resolve(
    conn: &Connection,
    new: NewCertificate,
    seller: Option<&str>,
    today: NaiveDate,
) -> Result<Certificate> {
    let village: String = conn
        .query_row(
            "SELECT village FROM lots WHERE id = ?1",
            [new.lot_id.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(StoreError::UnknownLot(new.lot_id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, unit FROM listings WHERE lot_id = ?1 ORDER BY created_hlc, id",
    )?;
    let named = stmt
        .query_and_then([new.lot_id.to_string()], |r| {
            Ok::<_, StoreError>(Named {
                id: r.get(0)?,
                title: r.get(1)?,
                unit: parse(&r.get::<_, String>(2)?)?,
            })
        })?
        .collect::<Result<Vec<_>>>()?;
    let only = match named.as_slice() {
        [one] => Some(one),
        _ => None,
    };

    let product = match new.product {
        Some(p) => p,
        None => match only {
            Some(listing) => Title::parse(&listing.title)?,
            None => return Err(DomainError::Empty { field: "product" }.into()),
        },
    };
    let quantity = match new.quantity {
        Some(q) => {
            if let Some(first) = named.first()
                && !named.iter().any(|l| l.unit.base() == q.unit().base())
            {
                return Err(DomainError::UnitMismatch {
                    expected: first.unit.slug(),
                    got: q.unit().slug(),
                }
                .into());
            }
            q
        }
        None => match only {
            Some(listing) => {
                let stock = listings::stock_of(conn, parse(&listing.id)?)?;
                Quantity::from_base(stock, listing.unit)?
            }
            None => return Err(DomainError::Empty { field: "quantity" }.into()),
        },
    };
    let issuer = match (new.issuer, seller) {
        (Some(issuer), _) => issuer,
        (None, Some(name)) => ShortText::parse(name)?,
        (None, None) => return Err(DomainError::Empty { field: "issuer" }.into()),
    };
    Ok(Certificate {
        id: CertificateId::new(),
        lot_id: new.lot_id,
        product,
        quantity,
        origin: ShortText::parse(&village)?,
        issuer,
        contact: new.contact,
        issued_on: new.issued_on.unwrap_or(today),
        basis: new.basis,
    })
}

/// Stores a certificate once; applying it again changes nothing.
pub(crate) fn insert(conn: &Connection, c: &Certificate, op: &Operation) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO certificates
           (id, lot_id, product, quantity, unit, origin, issuer, contact, issued_on, basis,
            hlc, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            c.id.to_string(),
            c.lot_id.to_string(),
            c.product.as_str(),
            c.quantity.base(),
            c.quantity.unit().slug(),
            c.origin.as_str(),
            c.issuer.as_str(),
            c.contact.as_ref().map(|t| t.as_str()),
            c.issued_on.format("%Y-%m-%d").to_string(),
            c.basis.slug(),
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    Ok(())
}
