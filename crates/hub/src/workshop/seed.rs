//! The workshop's demo village: sellers from real Deqen villages, each
//! with a lot, a listing with its photo, stock and a few sales, and one
//! order from the buyer, so the console, the catalog and the projector have
//! something to show before the first trainee lists anything.
//!
//! The demo goes in the way a seller's records do: each demo seller has a
//! device of their own, enrolled with a code, whose operations go through
//! [`Storage::exchange`] and whose photos go through the upload path. So
//! the demo is checked by the same rules as everything else, and every
//! trainee's tablet pulls nothing of it (it belongs to other sellers).
//!
//! Every id is fixed, so seeding again (a start that failed halfway) adds
//! nothing twice: the hub takes a known operation as a duplicate.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use highland_domain::wire::AckOutcome;
use highland_domain::{
    AdjustmentId, AdjustmentKind, Altitude, Category, Description, DeviceId, Hlc, Listing,
    ListingId, ListingStatus, Lot, LotId, Operation, OperationId, OrderId, Payload, PaymentMethod,
    Photo, PhotoId, PhotoSubject, Price, Quantity, QuantityDelta, Sale, SaleId, ShortText,
    StockAdjustment, Title, Unit,
};
use uuid::Uuid;

use super::{WorkshopError, blocking, photos};
use crate::photos::{PhotoStore, upload};
use crate::secret::{SecretHash, code_hash, new_device_token, new_enrollment_code};
use crate::storage::{EnrolledDevice, Enrollment, NewCode, Seller};
use crate::{Error, SellerId, Storage};
use highland_exchange::orders::{NewOrder, OrderError};
use highland_exchange::sync::{PullRequest, Pushed};

/// The setting that records the demo as seeded.
const SEEDED_KEY: &str = "demo_seeded";

/// The name the demo order's history shows for the buyer.
pub(crate) const BUYER: &str = "迪庆高原农产 Deqen Highland Produce";

/// One demo seller and the one thing they sell.
struct DemoSeller {
    name: &'static str,
    village: &'static str,
    altitude_m: i32,
    environment: &'static str,
    title: &'static str,
    description: &'static str,
    category: Category,
    unit: Unit,
    price_yuan: &'static str,
    stock: &'static str,
    /// Sold over the last days, in the listing's unit.
    sales: &'static [&'static str],
    photo: &'static [u8],
}

const SELLERS: [DemoSeller; 5] = [
    DemoSeller {
        name: "བཀྲ་ཤིས། 扎西 Tashi",
        village: "雨崩村 Yubeng",
        altitude_m: 3050,
        environment: "冷杉林下 Under the fir forest below Kawagebo",
        title: "ཤ་མོ། 松茸 Matsutake",
        description: "当天采摘 Picked the same morning",
        category: Category::Matsutake,
        unit: Unit::Jin,
        price_yuan: "180",
        stock: "12",
        sales: &["2", "1.5"],
        photo: photos::MATSUTAKE,
    },
    DemoSeller {
        name: "སྒྲོལ་མ། 卓玛 Drolma",
        village: "明永村 Mingyong",
        altitude_m: 2300,
        environment: "高山花草 Alpine meadow flowers",
        title: "སྦྲང་རྩི། 蜂蜜 Honey",
        description: "500 克一罐 500 g jars",
        category: Category::Honey,
        unit: Unit::Jar,
        price_yuan: "45",
        stock: "20",
        sales: &["3", "2", "1"],
        photo: photos::HONEY,
    },
    DemoSeller {
        name: "ཚེ་རིང་། 次仁 Tsering",
        village: "西当村 Xidang",
        altitude_m: 3200,
        environment: "高山牧场 Summer pasture",
        title: "གཡག་ཤ། 牦牛肉 Yak meat",
        description: "风干 Air-dried",
        category: Category::YakMeat,
        unit: Unit::Jin,
        price_yuan: "68",
        stock: "40",
        sales: &["5", "3"],
        photo: photos::YAK_MEAT,
    },
    DemoSeller {
        name: "ལྷ་མོ། 拉姆 Lhamo",
        village: "尼西乡 Nixi",
        altitude_m: 3300,
        environment: "梯田 Terraced fields",
        title: "ནས། 青稞 Highland barley",
        description: "今年新粮 This year's harvest",
        category: Category::HighlandBarley,
        unit: Unit::Kg,
        price_yuan: "12.50",
        stock: "100",
        sales: &["10", "25"],
        photo: photos::BARLEY,
    },
    DemoSeller {
        name: "དབང་ཕྱུག 旺堆 Wangdu",
        village: "奔子栏镇 Benzilan",
        altitude_m: 2000,
        environment: "金沙江边 On the Jinsha river",
        title: "ཕྱུར་བ། 牦牛奶渣 Yak cheese",
        description: "手工 Handmade",
        category: Category::YakCheese,
        unit: Unit::Jin,
        price_yuan: "60",
        stock: "15",
        sales: &["1"],
        photo: photos::YAK_CHEESE,
    },
];

/// Seeds the demo village once; a hub already seeded is left as it is.
pub(crate) async fn seed(
    store: &Arc<dyn Storage>,
    photo_store: &PhotoStore,
    now_ms: u64,
) -> Result<(), WorkshopError> {
    let reading = store.clone();
    if blocking(move || Ok(reading.workshop_setting(SEEDED_KEY)?))
        .await?
        .is_some()
    {
        return Ok(());
    }
    {
        let store = store.clone();
        blocking(move || super::round::plan(store.as_ref(), now_ms)).await?;
    }
    for (n, demo) in SELLERS.iter().enumerate() {
        let ids = Ids(n as u128 + 1);
        let (device, listing, file) = {
            let store = store.clone();
            blocking(move || seed_seller(store.as_ref(), demo, ids, now_ms)).await?
        };
        store_photo(store, photo_store, device, file, now_ms).await?;
        if n == 1 {
            let store = store.clone();
            blocking(move || place_demo_order(store.as_ref(), listing, ids, now_ms)).await?;
        }
    }
    let store = store.clone();
    blocking(move || Ok(store.set_workshop_setting(SEEDED_KEY, Some("1"), now_ms)?)).await
}

/// Fixed ids for demo seller `n`: one namespace, the seller's number, and
/// what the id is for.
#[derive(Clone, Copy)]
struct Ids(u128);

impl Ids {
    /// "highland-workshop" in the top bits, so no random UUIDv7 meets it.
    const NAMESPACE: u128 = 0x6869_676c_616e_6400 << 64;

    fn uuid(self, what: u128) -> Uuid {
        Uuid::from_u128(Self::NAMESPACE | (self.0 << 16) | what)
    }
}

fn seed_seller(
    store: &dyn Storage,
    demo: &DemoSeller,
    ids: Ids,
    now_ms: u64,
) -> Result<(EnrolledDevice, ListingId, &'static [u8]), WorkshopError> {
    let seller = Seller {
        id: SellerId::from_uuid(ids.uuid(1)),
        name: demo.name.to_owned(),
        village: demo.village.to_owned(),
        phone: None,
    };
    let code = new_enrollment_code();
    let new_code = NewCode {
        hash: code_hash(&code),
        issued_at_ms: now_ms,
        expires_at_ms: now_ms.saturating_add(crate::admin::CODE_LIFETIME_MS),
    };
    // A seed cut short left the seller: give them a new code instead.
    match store.add_seller(&seller, &new_code) {
        Ok(()) => {}
        Err(_) => {
            store.add_code(seller.id, &new_code)?;
        }
    }
    let device_id = DeviceId::from_uuid(ids.uuid(2));
    store.enroll(&Enrollment {
        code: new_code.hash,
        device: device_id,
        token: SecretHash::of(&new_device_token()),
        now_ms,
    })?;
    let device = EnrolledDevice {
        id: device_id,
        seller: seller.id,
    };

    let now = DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_else(Utc::now);
    let lot = Lot {
        id: LotId::from_uuid(ids.uuid(3)),
        village: ShortText::parse(demo.village)?,
        altitude: Some(Altitude::from_metres(demo.altitude_m)?),
        harvested_on: now.date_naive().checked_sub_days(Days::new(3)),
        environment: Some(Description::parse(demo.environment)?),
    };
    let listing = Listing {
        id: ListingId::from_uuid(ids.uuid(4)),
        title: Title::parse(demo.title)?,
        category: demo.category,
        unit: demo.unit,
        price: Price::parse_yuan(demo.price_yuan)?,
        status: ListingStatus::Listed,
        description: Some(Description::parse(demo.description)?),
        lot_id: Some(lot.id),
    };
    let photo = photos::reference(demo.photo)?;
    let mut payloads = vec![
        Payload::LotRecorded { lot },
        Payload::ListingCreated {
            listing: listing.clone(),
        },
        Payload::StockAdjusted {
            adjustment: StockAdjustment {
                id: AdjustmentId::from_uuid(ids.uuid(5)),
                listing_id: listing.id,
                kind: AdjustmentKind::Received,
                change: QuantityDelta::parse(demo.stock, demo.unit)?,
                reason: None,
                at: now,
            },
        },
        Payload::PhotoAdded {
            photo: Photo {
                id: PhotoId::from_uuid(ids.uuid(6)),
                subject: PhotoSubject::Listing(listing.id),
                display: photo,
                thumbnail: photo,
                location: None,
            },
        },
    ];
    for (i, sold) in demo.sales.iter().enumerate() {
        payloads.push(Payload::SaleRecorded {
            sale: Sale {
                id: SaleId::from_uuid(ids.uuid(0x100 + i as u128)),
                listing_id: listing.id,
                quantity: Quantity::parse(sold, demo.unit)?,
                unit_price: listing.price,
                payment: if i % 2 == 0 {
                    PaymentMethod::Wechat
                } else {
                    PaymentMethod::Cash
                },
                buyer: None,
                sold_at: days_before(now, demo.sales.len() - i),
                order_id: None,
            },
        });
    }
    let pushed = payloads
        .into_iter()
        .enumerate()
        .map(|(i, payload)| {
            Pushed::made(Operation {
                id: OperationId::from_uuid(ids.uuid(0x200 + i as u128)),
                device_id,
                hlc: Hlc::from_wall_ms(now_ms),
                payload,
            })
        })
        .collect::<crate::Result<_>>()?;
    let pull = PullRequest {
        cursor: u64::MAX,
        max_bytes: 1024,
        ..PullRequest::default()
    };
    let response = store.exchange(device, pushed, pull, now_ms)?;
    for ack in response.acks {
        if let AckOutcome::Refused { reason } = ack.outcome {
            return Err(Error::BadRecord(format!(
                "the demo's own change was refused: {}",
                reason.message
            ))
            .into());
        }
    }
    Ok((device, listing.id, demo.photo))
}

fn days_before(now: DateTime<Utc>, days: usize) -> DateTime<Utc> {
    now.checked_sub_days(Days::new(days as u64)).unwrap_or(now)
}

/// Stores a demo photo's file through the upload path, as a device's is.
async fn store_photo(
    store: &Arc<dyn Storage>,
    photo_store: &PhotoStore,
    device: EnrolledDevice,
    file: &'static [u8],
    now_ms: u64,
) -> Result<(), WorkshopError> {
    let name = photos::reference(file)?.sha256();
    let length = file.len() as u64;
    let uploading = store.clone();
    let stored = blocking(move || {
        let status = uploading.upload_status(device.seller, name)?;
        if status.is_some_and(|s| s.stored) {
            return Ok(true);
        }
        uploading.start_upload(device, name, length, now_ms)?;
        // A seed cut short may have kept part of the file: go on from there.
        let held = status.map_or(0, |s| s.offset);
        uploading.append_upload(device.seller, name, held, &file[held as usize..])?;
        Ok(false)
    })
    .await?;
    if !stored {
        upload::finish(store, photo_store, name, length, now_ms).await?;
    }
    Ok(())
}

/// The buyer's order for the second seller's honey, on Thursday's truck:
/// the class sees an order waiting on the projector and in the console, and
/// the truck's load, from the start.
fn place_demo_order(
    store: &dyn Storage,
    listing: ListingId,
    ids: Ids,
    now_ms: u64,
) -> Result<(), WorkshopError> {
    let order = NewOrder {
        id: OrderId::from_uuid(ids.uuid(7)),
        listing_id: listing,
        quantity: Quantity::parse("5", Unit::Jar)?,
        unit_price: Price::parse_yuan("42")?,
        hand_over_by: None::<NaiveDate>,
        note: Some(Description::parse(
            "周四的车来取 Thursday's truck collects it",
        )?),
        round: Some(super::round::choice()),
    };
    match store.place_order(&order, Some(BUYER), now_ms) {
        Ok(_) | Err(OrderError::OrderExists(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
