//! What the buyer's staff read: every village's listings with their seller
//! and lot, and the sellers. The queries' shapes and their pagination live
//! here; the SQL behind them is in `db/catalog.rs`.
//!
//! Pages are keyset pages, newest first: a cursor is the position (a
//! timestamp and an id) of the last item of the previous page, so walking
//! every page yields every item once even while new ones arrive, and no
//! page costs more than its own rows. Cursors are opaque to clients.

use highland_domain::{Category, ListingStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::views::ListingView;

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most items one page holds; asking for more is a 400, not a silent
/// cut, so a client's mistake shows at once.
pub const MAX_PAGE_SIZE: u32 = 200;

/// How many items a page holds: 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u32);

impl PageSize {
    pub fn new(limit: Option<u32>) -> Result<PageSize, String> {
        match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
            n @ 1..=MAX_PAGE_SIZE => Ok(PageSize(n)),
            n => Err(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE}, not {n}; \
                 follow next_cursor for more"
            )),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize(DEFAULT_PAGE_SIZE)
    }
}

/// A position in a newest-first order: an item's time (an HLC or
/// milliseconds, whichever the list is ordered by) and its id, which breaks
/// ties. Written as `<time>.<id in hex>`; clients only hand it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub time: i64,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.time, self.id.simple())
    }

    pub fn decode(raw: &str) -> Result<Cursor, String> {
        let bad = || format!("{raw:?} is not a cursor this hub made; start from the first page");
        let (time, id) = raw.split_once('.').ok_or_else(bad)?;
        if id.len() != 32 {
            return Err(bad());
        }
        Ok(Cursor {
            time: time.parse().map_err(|_| bad())?,
            id: Uuid::try_parse(id).map_err(|_| bad())?,
        })
    }
}

/// One page of a list, and where the next one starts (`None` on the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `size + 1` rows read after the cursor, in
    /// order: the extra row, if there, only tells that another page follows.
    pub fn from_rows(mut rows: Vec<(Cursor, T)>, size: PageSize) -> Page<T> {
        let size = size.get() as usize;
        let more = rows.len() > size;
        rows.truncate(size);
        let next_cursor = more.then(|| rows.last().map(|(c, _)| c.encode())).flatten();
        Page {
            items: rows.into_iter().map(|(_, item)| item).collect(),
            next_cursor,
        }
    }
}

/// Which listings to read; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingQuery {
    /// The seller's village, exactly as written when the seller was added.
    pub village: Option<String>,
    pub category: Option<Category>,
    pub status: Option<ListingStatus>,
    pub after: Option<Cursor>,
    pub size: PageSize,
}

/// Which sellers to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SellerQuery {
    pub village: Option<String>,
    pub after: Option<Cursor>,
    pub size: PageSize,
}

/// A listing in the staff catalog: the device's view of it, and who sells it where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatalogListing {
    #[serde(flatten)]
    pub listing: ListingView,
    pub seller_name: String,
    /// The seller's village.
    pub village: String,
}

/// A seller, with how many devices and listings they have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SellerSummary {
    pub id: String,
    pub name: String,
    pub village: String,
    pub phone: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub devices: i64,
    pub listings: i64,
}

/// Where a lot comes from, as its seller recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LotView {
    pub id: String,
    pub village: String,
    pub altitude_m: Option<i32>,
    /// The harvest or slaughter date, `YYYY-MM-DD`.
    pub harvested_on: Option<String>,
    pub environment: Option<String>,
}

/// One listing with its seller and its lot. `lot` is null when the listing
/// names no lot, or names one the hub has not received yet (a listing may
/// arrive before its lot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListingDetail {
    #[serde(flatten)]
    pub listing: ListingView,
    pub seller: SellerSummary,
    pub lot: Option<LotView>,
}

/// A page of listings (the OpenAPI document needs one name per page type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<CatalogListing>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SellerPage {
    pub items: Vec<SellerSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<CatalogListing>> for ListingPage {
    fn from(p: Page<CatalogListing>) -> Self {
        ListingPage {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}

impl From<Page<SellerSummary>> for SellerPage {
    fn from(p: Page<SellerSummary>) -> Self {
        SellerPage {
            items: p.items,
            next_cursor: p.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_default_to_50_and_stop_at_200() {
        assert_eq!(PageSize::new(None).unwrap().get(), 50);
        assert_eq!(PageSize::new(Some(1)).unwrap().get(), 1);
        assert_eq!(PageSize::new(Some(200)).unwrap().get(), 200);
        assert!(PageSize::new(Some(0)).is_err());
        assert!(PageSize::new(Some(201)).unwrap_err().contains("200"));
    }

    #[test]
    fn cursors_round_trip_and_anything_else_is_refused() {
        let c = Cursor {
            time: 116_654_080_000_000_000,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        let negative = Cursor { time: -5, ..c };
        assert_eq!(Cursor::decode(&negative.encode()), Ok(negative));
        for bad in [
            "",
            "12",
            "x.y",
            "12.zz",
            &format!("12.{}", c.id.hyphenated()),
        ] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_page_says_whether_another_follows() {
        let rows = |n: i64| -> Vec<(Cursor, i64)> {
            (0..n)
                .map(|i| {
                    (
                        Cursor {
                            time: i,
                            id: Uuid::from_u128(i as u128),
                        },
                        i,
                    )
                })
                .collect()
        };
        let size = PageSize::new(Some(2)).unwrap();
        let last = Page::from_rows(rows(2), size);
        assert_eq!((last.items, last.next_cursor), (vec![0, 1], None));
        let more = Page::from_rows(rows(3), size);
        assert_eq!(more.items, vec![0, 1]);
        let next = Cursor::decode(more.next_cursor.as_deref().unwrap()).unwrap();
        assert_eq!(next.time, 1);
    }
}
