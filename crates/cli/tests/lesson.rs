//! `highland lesson` on the real binary: a lesson starts, shows its steps in
//! order, ticks a step only when the trainee really does it, and ends
//! without touching what was recorded.

mod common;

use common::DataDir;
use serde_json::Value;

fn done_steps(lesson: &Value) -> Vec<String> {
    lesson["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["done_at"].is_null())
        .map(|s| s["step"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_lesson_lists_its_six_steps_and_ticks_the_listing_once_it_exists() {
    let d = DataDir::new();
    assert_eq!(d.json(&["lesson", "show"]), Value::Null);

    let lesson = d.json(&["lesson", "start"]);
    let steps: Vec<&str> = lesson["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "list_product",
            "take_photo",
            "sale_offline",
            "sync",
            "accept_order",
            "print_label"
        ]
    );
    assert_eq!(lesson["current"], "list_product");
    assert_eq!(lesson["finished"], false);

    let listing = d.add_listing("5");
    let lesson = d.json(&["lesson", "show"]);
    assert_eq!(done_steps(&lesson), ["list_product"]);
    assert_eq!(lesson["current"], "take_photo");

    // Never having tried the hub is not being offline: this sale is not the
    // lesson's offline sale.
    d.ok(&["sale", "add", "--listing", &listing, "--quantity", "1"]);
    assert_eq!(done_steps(&d.json(&["lesson", "show"])), ["list_product"]);

    let text = d.ok(&["lesson", "show"]);
    assert!(text.starts_with("[x] 1. list a product"), "{text}");
    assert!(text.contains("[>] 2. add a photo"), "{text}");

    d.ok(&["lesson", "end"]);
    assert_eq!(d.json(&["lesson", "show"]), Value::Null);
    assert_eq!(d.json(&["listing", "list"]).as_array().unwrap().len(), 1);
}
