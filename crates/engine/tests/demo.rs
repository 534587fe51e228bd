//! The demo a trainee starts from speaks their language: the same listings,
//! lots and week of sales, with texts in Tibetan, Chinese or English.

mod common;

use common::t0;
use highland_engine::{Language, Store, demo};

fn titles_and_villages(language: Language) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    demo::seed_in(dir.path(), t0(), language).unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let mut titles: Vec<String> = store
        .listings()
        .unwrap()
        .into_iter()
        .map(|l| l.title)
        .collect();
    let mut villages: Vec<String> = store
        .lots()
        .unwrap()
        .into_iter()
        .map(|l| l.village)
        .collect();
    titles.sort();
    villages.sort();
    (titles, villages)
}

#[test]
fn the_demo_is_written_in_the_trainees_language() {
    let (en, en_villages) = titles_and_villages(Language::En);
    assert!(en.contains(&"Yak meat".to_owned()), "{en:?}");
    assert!(
        en_villages.contains(&"Yubeng".to_owned()),
        "{en_villages:?}"
    );
    assert!(en.iter().all(|t| t.is_ascii()), "English only: {en:?}");

    let (zh, zh_villages) = titles_and_villages(Language::ZhHans);
    assert!(zh.contains(&"牦牛肉".to_owned()), "{zh:?}");
    assert!(
        zh_villages.contains(&"雨崩村".to_owned()),
        "{zh_villages:?}"
    );

    let (bo, _) = titles_and_villages(Language::Bo);
    assert!(bo.contains(&"གཡག་ཤ། 牦牛肉".to_owned()), "{bo:?}");
    assert_eq!((en.len(), zh.len(), bo.len()), (5, 5, 5));
}

#[test]
fn a_reset_demo_comes_back_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    demo::seed_in(dir.path(), t0(), Language::ZhHans).unwrap();
    demo::reset_in(dir.path(), t0(), Language::En).unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let titles: Vec<String> = store
        .listings()
        .unwrap()
        .into_iter()
        .map(|l| l.title)
        .collect();
    assert!(titles.contains(&"Honey".to_owned()), "{titles:?}");
    assert_eq!(store.sales().unwrap().len(), 12);
}
