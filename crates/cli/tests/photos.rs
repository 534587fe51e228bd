//! `highland photo`, on the real binary: a picture becomes a photo of a
//! listing with its two files; anything else is refused in one line and
//! changes nothing.

mod common;

use common::DataDir;
use highland_engine::photos::sample;

fn photo_files(d: &DataDir) -> usize {
    std::fs::read_dir(d.path().join("photos")).map_or(0, |e| e.count())
}

#[test]
fn a_picture_becomes_a_photo_waiting_to_upload() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let picture = d.path().join("IMG_0001.jpg");
    std::fs::write(
        &picture,
        sample::jpeg(&sample::synthetic_photo(2000, 1500, 3), 90),
    )
    .unwrap();
    let id = d.ok(&[
        "photo",
        "add",
        "--listing",
        &listing,
        picture.to_str().unwrap(),
    ]);

    let photos = d.json(&["photo", "list", "--listing", &listing]);
    assert_eq!(photos[0]["id"], id.trim());
    assert_eq!(photos[0]["display"]["width"], 1600);
    assert_eq!(photos[0]["thumbnail"]["width"], 320);
    assert_eq!(photos[0]["waiting_to_upload"], true);
    assert_eq!(photo_files(&d), 2);
    let status = d.json(&["status"]);
    assert_eq!(status["photos"]["uploads_waiting"], 2);

    d.ok(&["photo", "remove", id.trim()]);
    assert_eq!(
        d.json(&["photo", "list", "--listing", &listing]),
        serde_json::json!([])
    );
}

#[test]
fn what_is_not_a_usable_picture_is_refused_in_one_line_and_changes_nothing() {
    let d = DataDir::new();
    let listing = d.add_listing("10");
    let text = d.path().join("notes.jpg");
    std::fs::write(&text, "not a picture").unwrap();
    let heic = d.path().join("IMG_0002.heic");
    std::fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    let before = d.snapshot();

    for (args, says) in [
        (
            vec![
                "photo",
                "add",
                "--listing",
                &listing,
                text.to_str().unwrap(),
            ],
            "not a picture",
        ),
        (
            vec![
                "photo",
                "add",
                "--listing",
                &listing,
                heic.to_str().unwrap(),
            ],
            "unsupported format",
        ),
        (
            vec!["photo", "add", "--listing", &listing, "/no/such/file.jpg"],
            "cannot read",
        ),
        (
            vec![
                "photo",
                "add",
                "--lot",
                "0190a1b2-0000-7000-8000-000000000000",
                text.to_str().unwrap(),
            ],
            "no lot",
        ),
        (
            vec![
                "photo",
                "add",
                "--listing",
                &listing,
                "--keep-location",
                text.to_str().unwrap(),
            ],
            "",
        ),
        (
            vec!["photo", "remove", "0190a1b2-0000-7000-8000-000000000000"],
            "no photo",
        ),
    ] {
        let stderr = d.fails(&args);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(d.snapshot(), before);
    assert_eq!(photo_files(&d), 0);
}
