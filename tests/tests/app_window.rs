//! The real app window, driven through WebDriver: `tauri-driver` starts the
//! built `highland-app` under Debian's WebKitWebDriver on a fresh data
//! directory, and the tests click through it as a seller would.
//!
//! They need a display (Xvfb), tauri-driver, WebKitWebDriver and an app built
//! with the UI embedded, so they are ignored by a plain `cargo nextest run`;
//! `scripts/app-tests.sh` builds all of that and runs them. Screenshots of
//! each step go to `artifacts/app/`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use highland_e2e::Hub;
use highland_e2e::process::KillOnDrop;
use highland_e2e::webdriver::Session;
use highland_e2e::workshop::WorkshopHub;
use tempfile::TempDir;

const SCREEN: Duration = Duration::from_secs(60);
const SYNC: Duration = Duration::from_secs(90);

/// The app binary: `HIGHLAND_APP_BIN`, or `highland-app` beside this test's profile directory.
fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HIGHLAND_APP_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let mut dir = exe.parent().expect("a directory").to_owned();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    dir.join("highland-app")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// tauri-driver serving one session of the app, on a data directory of its own.
struct Window {
    session: Option<Session>,
    _driver: KillOnDrop,
    data: TempDir,
    name: String,
}

impl Window {
    async fn open(name: &str) -> anyhow::Result<Window> {
        let data = tempfile::Builder::new().prefix("highland-app-").tempdir()?;
        Window::open_in(name, data).await
    }

    /// Opens the app on a data directory prepared beforehand.
    async fn open_in(name: &str, data: TempDir) -> anyhow::Result<Window> {
        Window::open_with(name, data, &[]).await
    }

    /// Opens the app with `env` added to its environment.
    async fn open_with(
        name: &str,
        data: TempDir,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> anyhow::Result<Window> {
        let app = app_binary();
        if !app.is_file() {
            bail!(
                "{} is missing; build it with scripts/app-tests.sh (the UI embedded)",
                app.display()
            );
        }
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run these tests under xvfb-run (scripts/app-tests.sh does)");
        }
        let port = free_port();
        let native = free_port();
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            // WebKitWebDriver starts the app with this environment.
            .env("HIGHLAND_APP_DATA_DIR", data.path())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(data.path().join("driver.log"))?);
        let driver = KillOnDrop::spawn(&mut command)
            .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("tauri-driver did not listen on {port}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let session = Session::start(&format!("http://127.0.0.1:{port}"), &app).await?;
        Ok(Window {
            session: Some(session),
            _driver: driver,
            data,
            name: name.to_owned(),
        })
    }

    fn s(&self) -> &Session {
        self.session.as_ref().expect("an open session")
    }

    /// A screenshot, a moment after the screen changed (WebKit can show the old frame).
    async fn shot(&self, step: &str) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/app");
        self.s()
            .screenshot(&dir.join(format!("{}-{step}.png", self.name)))
            .await
    }

    async fn count(&self, css: &str) -> anyhow::Result<usize> {
        Ok(self.s().find_all(css).await?.len())
    }

    /// Waits until `css` matches `n` elements.
    async fn wait_count(&self, css: &str, n: usize, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let now = self.count(css).await?;
            if now == n {
                return Ok(());
            }
            if started.elapsed() > limit {
                bail!("{css}: {now} elements, not {n}, after {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The number of changes waiting, from the sync bar.
    async fn pending(&self) -> anyhow::Result<i64> {
        let state = self
            .s()
            .wait_until(id("sync-pending").as_str(), "counted", SCREEN, |s| {
                s.count.is_some()
            })
            .await?;
        Ok(state.count.unwrap_or_default().parse()?)
    }

    async fn close(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.session.take() {
            s.quit().await?;
        }
        Ok(())
    }

    /// What the app and tauri-driver logged, for a failure message.
    fn log(&self) -> String {
        std::fs::read_to_string(self.data.path().join("driver.log")).unwrap_or_default()
    }
}

fn id(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// The first run, in English: joins the hub at `hub_url` with a one-time
/// code typed on the enroll screen, and waits for the products.
async fn enroll_by_code(w: &Window, hub_url: &str, code: &str) -> anyhow::Result<()> {
    choose_english(w).await?;
    let url = w.s().wait_for(&id("enroll-hub-url"), SCREEN).await?;
    w.s().type_text(&url, hub_url).await?;
    let field = w.s().wait_for(&id("enroll-code"), SCREEN).await?;
    w.s().type_text(&field, code).await?;
    w.shot("enroll").await?;
    w.s().click_on(&id("enroll-submit"), SCREEN).await?;
    w.s().wait_for(&id("screen-products"), SCREEN).await?;
    Ok(())
}

/// On the listing form: 20 jars of honey at ¥45, titled in Tibetan, typed
/// with the keypads and saved, which leaves the form for the new
/// listing's page.
async fn list_honey(w: &Window) -> anyhow::Result<()> {
    w.s().wait_for(&id("screen-listing-form"), SCREEN).await?;
    w.s().click_on(&id("category-honey"), SCREEN).await?;
    // The category named it ("Honey"); this seller types a name of their own.
    clear_field(w, "listing-title-input").await?;
    let title = w.s().wait_for(&id("listing-title-input"), SCREEN).await?;
    w.s().type_text(&title, "སྦྲང་རྩི། Honey").await?;
    w.s().click_on(&id("unit-jar"), SCREEN).await?;
    w.s().click_on(&id("pad-price-tab"), SCREEN).await?;
    tap_keys(w, "price-keypad", "45").await?;
    w.s().click_on(&id("pad-stock-tab"), SCREEN).await?;
    tap_keys(w, "stock-keypad", "20").await?;
    w.shot("listing-form").await?;
    w.s().click_on(&id("listing-save"), SCREEN).await?;
    w.s().wait_for(&id("screen-listing"), SCREEN).await?;
    Ok(())
}

/// Empties a text field as a seller's delete key would, so what is typed next replaces it.
async fn clear_field(w: &Window, testid: &str) -> anyhow::Result<()> {
    w.s()
        .execute(
            "const f = document.querySelector(arguments[0]);
             f.value = '';
             f.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(id(testid))],
        )
        .await?;
    Ok(())
}

/// Picks English on the first screen when the app asks for a language.
async fn choose_english(w: &Window) -> anyhow::Result<()> {
    w.s().wait_for(&id("screen-first-run"), SCREEN).await?;
    w.shot("first-run").await?;
    if w.count(&id("lang-en")).await? > 0 {
        w.s().click_on(&id("lang-en"), SCREEN).await?;
    }
    Ok(())
}

async fn tap_keys(w: &Window, keypad: &str, keys: &str) -> anyhow::Result<()> {
    for k in keys.chars() {
        let key = if k == '.' {
            "point".to_owned()
        } else {
            k.to_string()
        };
        w.s()
            .click_on(&id(&format!("{keypad}-{key}")), SCREEN)
            .await?;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn a_first_run_demo_shows_products_and_a_sale_lowers_the_stock() {
    let w = Window::open("demo").await.unwrap();
    let outcome = async {
        choose_english(&w).await?;
        w.s().click_on(&id("start-demo"), SCREEN).await?;
        w.s().wait_for(&id("screen-products"), SCREEN).await?;
        w.wait_count(&id("listing-item"), 5, SCREEN).await?;
        w.shot("products").await?;

        let item = w.s().wait_for(&id("listing-item"), SCREEN).await?;
        let listing = w
            .s()
            .attribute(&item, "data-id")
            .await?
            .context("data-id")?;
        let stock_css = format!(
            "{}[data-id=\"{listing}\"] {}",
            id("listing-item"),
            id("listing-stock")
        );
        let stock_before = w
            .s()
            .text(&w.s().wait_for(&stock_css, SCREEN).await?)
            .await?;

        w.s().click_on(&id("nav-sell"), SCREEN).await?;
        w.s()
            .click_on(
                &format!("{}[data-id=\"{listing}\"]", id("sell-pick")),
                SCREEN,
            )
            .await?;
        tap_keys(&w, "quantity-keypad", "1").await?;
        w.s().click_on(&id("payment-cash"), SCREEN).await?;
        w.shot("sell").await?;
        w.s().click_on(&id("sale-confirm"), SCREEN).await?;
        w.s().wait_for(&id("sale-done"), SCREEN).await?;
        w.shot("sale-done").await?;

        w.s().click_on(&id("nav-products"), SCREEN).await?;
        let after = w
            .s()
            .wait_until(&stock_css, "lowered", SCREEN, |s| s.text != stock_before)
            .await?;
        if let Some(stock) = after.stock {
            assert!(stock.parse::<i64>()? > 0, "stock {stock}");
        }
        w.shot("after-sale").await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

/// The screens a seller moves between, by the tab that opens each.
const SCREENS: [(&str, &str); 5] = [
    ("nav-products", "screen-products"),
    ("nav-sell", "screen-sell"),
    ("nav-orders", "screen-orders"),
    ("nav-lots", "screen-lots"),
    ("nav-settings", "screen-settings"),
];

const LANGUAGES: [&str; 3] = ["bo", "zh-Hans", "en"];

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn every_screen_is_photographed_in_every_language() {
    let mut tab_names = Vec::new();
    for lang in LANGUAGES {
        // A fresh first run for each: choosing a language moves it on.
        let w = Window::open(&format!("screens-{lang}")).await.unwrap();
        let outcome = async {
            w.s().wait_for(&id("screen-first-run"), SCREEN).await?;
            w.shot("first-run").await?;
            w.s().click_on(&id(&format!("lang-{lang}")), SCREEN).await?;
            // The page says which language it is in once the choice took.
            let started = Instant::now();
            loop {
                let now = w
                    .s()
                    .execute("return document.documentElement.lang", vec![])
                    .await?;
                if now.as_str() == Some(lang) {
                    break;
                }
                if started.elapsed() > SCREEN {
                    bail!("the page's language stayed {now} after choosing {lang}");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            w.shot("first-run-enroll").await?;
            w.s().click_on(&id("start-demo"), SCREEN).await?;
            w.wait_count(&id("listing-item"), 5, SCREEN).await?;
            for (tab, screen) in SCREENS {
                w.s().click_on(&id(tab), SCREEN).await?;
                w.s().wait_for(&id(screen), SCREEN).await?;
                w.shot(screen).await?;
            }
            w.s().click_on(&id("nav-products"), SCREEN).await?;
            w.s().click_on(&id("listing-item"), SCREEN).await?;
            w.s().wait_for(&id("screen-listing"), SCREEN).await?;
            w.shot("screen-listing").await?;
            w.s().click_on(&id("nav-products"), SCREEN).await?;
            w.s().click_on(&id("add-listing"), SCREEN).await?;
            w.s().wait_for(&id("screen-listing-form"), SCREEN).await?;
            w.shot("screen-listing-form").await?;
            // The guided lesson, started, in this language.
            w.s().click_on(&id("nav-products"), SCREEN).await?;
            w.s().click_on(&id("open-lesson"), SCREEN).await?;
            w.s().click_on(&id("lesson-start"), SCREEN).await?;
            w.wait_count(&format!("{} li", id("lesson-steps")), 6, SCREEN)
                .await?;
            w.shot("screen-lesson").await?;
            let tab = w.s().wait_for(&id("nav-products"), SCREEN).await?;
            anyhow::Ok(w.s().text(&tab).await?)
        }
        .await;
        let log = w.log();
        w.close().await.ok();
        tab_names.push(
            outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}")),
        );
    }
    // Each language names the tabs in its own words.
    let distinct: std::collections::HashSet<&String> = tab_names.iter().collect();
    assert_eq!(
        distinct.len(),
        LANGUAGES.len(),
        "the products tab reads {tab_names:?}"
    );
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn enrolling_by_code_syncs_a_new_listing_and_a_sale_made_while_the_hub_is_down_reaches_it_later()
 {
    let mut hub = Hub::start().unwrap();
    let seller = hub.add_seller("Dolma", "Xidang").unwrap();
    let w = Window::open("enroll").await.unwrap();
    let outcome = async {
        enroll_by_code(&w, &hub.url(), &seller.code).await?;

        // A listing with Tibetan text, through the form and its keypads.
        w.s().click_on(&id("add-listing"), SCREEN).await?;
        list_honey(&w).await?;
        w.s().click_on(&id("nav-products"), SCREEN).await?;
        w.wait_count(&id("listing-item"), 1, SCREEN).await?;

        // The write starts a sync; the waiting count falls to zero.
        let started = Instant::now();
        while w.pending().await? != 0 {
            if started.elapsed() > SYNC {
                bail!(
                    "still {} changes waiting; hub log:\n{}",
                    w.pending().await?,
                    hub.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        w.shot("synced").await?;
        let on_hub = hub.listings()?;
        let Some(listing) = on_hub
            .iter()
            .find(|l| l.title == "སྦྲང་རྩི། Honey" && l.price_fen == 4500)
        else {
            bail!("the hub has {on_hub:?}");
        };

        // The hub goes away; a sale is recorded all the same, and waits.
        let hub_log = hub.log();
        // Killed, not stopped: a graceful stop would wait for the app's
        // kept-alive connection, and a cut link is what villages see.
        hub.kill()?;
        w.s().click_on(&id("nav-sell"), SCREEN).await?;
        let pick = format!("{}[data-id=\"{}\"]", id("sell-pick"), listing.id);
        w.s().click_on(&pick, SCREEN).await?;
        tap_keys(&w, "quantity-keypad", "2").await?;
        w.s().click_on(&id("payment-wechat"), SCREEN).await?;
        w.s().click_on(&id("sale-confirm"), SCREEN).await?;
        w.s().wait_for(&id("sale-done"), SCREEN).await?;
        let started = Instant::now();
        while w.pending().await? < 1 {
            if started.elapsed() > SCREEN {
                bail!("the sale is not counted as waiting; hub log:\n{hub_log}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        // The sync that the sale started cannot reach the hub: the bar says
        // why, and the sale still counts as waiting.
        w.s().wait_for(&id("sync-error"), SYNC).await?;
        let waiting = w.pending().await?;
        if waiting != 1 {
            bail!("{waiting} changes shown as waiting while the hub is down, not 1");
        }
        w.s().click_on(&id("nav-products"), SCREEN).await?;
        let stock_css = format!(
            "{}[data-id=\"{}\"] {}",
            id("listing-item"),
            listing.id,
            id("listing-stock")
        );
        w.s()
            .wait_until(&stock_css, "lowered to 18", SCREEN, |s| {
                s.stock
                    .as_deref()
                    .map_or(s.text.contains("18"), |n| n == "18")
            })
            .await?;
        w.shot("offline-sale").await?;

        // The link comes back: the hub is where it was, the seller taps
        // "sync now", the waiting count falls to zero and the sale is there.
        hub.restart()?;
        w.s().click_on(&id("sync-now"), SCREEN).await?;
        let started = Instant::now();
        while w.pending().await? != 0 {
            if started.elapsed() > SYNC {
                bail!(
                    "still {} waiting after the hub came back; hub log:\n{}",
                    w.pending().await?,
                    hub.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        w.shot("back-online").await?;
        let sales = hub.sales()?;
        if !sales
            .iter()
            .any(|s| s.listing_id == listing.id && s.quantity == 2 && s.payment == "wechat")
        {
            bail!("the offline sale is not on the hub: {sales:?}");
        }
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

/// The resident memory of the app and of the WebKit processes it started, in KiB.
fn app_memory_kib(app: &Path) -> anyhow::Result<u64> {
    let rss = |pid: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
            })
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    let parent_of = |pid: &str| -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the command name, which is in parentheses.
        stat.rsplit(')')
            .next()?
            .split_whitespace()
            .nth(1)
            .map(str::to_owned)
    };
    let pids: Vec<String> = std::fs::read_dir("/proc")?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let Some(main) = pids
        .iter()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
    else {
        bail!("{} is not running", app.display());
    };
    let children: Vec<&String> = pids
        .iter()
        .filter(|pid| parent_of(pid).as_deref() == Some(main.as_str()))
        .collect();
    Ok(rss(main) + children.iter().map(|pid| rss(pid)).sum::<u64>())
}

/// For docs/bench.md: the demo profile with 1,000 listings, from launch to
/// the first listing on screen, and the memory of the app
/// (with its WebKit processes) after a minute on the products screen.
#[tokio::test]
#[ignore = "a measurement: scripts/app-tests.sh --bench"]
async fn launch_with_a_thousand_listings() {
    use highland_domain::{Category, ListingStatus, Price, Quantity, Title, Unit};
    use highland_engine::{NewListing, Profile, Settings, Store, demo};

    let data = tempfile::Builder::new()
        .prefix("highland-app-")
        .tempdir()
        .unwrap();
    let real = Store::open_dir(data.path()).unwrap();
    let mut real = real;
    real.save_settings(&Settings {
        language: Some(highland_engine::Language::En),
        data_saver: false,
        profile: Profile::Demo,
        ..Settings::default()
    })
    .unwrap();
    drop(real);
    let demo_dir = data.path().join("demo");
    demo::seed(&demo_dir, chrono::Utc::now()).unwrap();
    let mut store = Store::open_dir(&demo_dir).unwrap();
    let have = store.listings().unwrap().len();
    for n in have..1000 {
        store
            .add_listing(NewListing {
                title: Title::parse(&format!("གཡག་ཤ། 牦牛肉 {n}")).unwrap(),
                category: Category::YakMeat,
                unit: Unit::Jin,
                price: Price::parse_yuan("68.50").unwrap(),
                status: ListingStatus::Listed,
                description: None,
                lot_id: None,
                stock: Some(Quantity::parse("10", Unit::Jin).unwrap()),
            })
            .unwrap();
    }
    drop(store);

    let started = Instant::now();
    let w = Window::open_in("bench", data).await.unwrap();
    w.s().wait_for(&id("listing-item"), SCREEN).await.unwrap();
    let first = started.elapsed();
    // The UI renders the list a page at a time; count what it shows.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let shown = w.count(&id("listing-item")).await.unwrap();
    w.shot("thousand").await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let memory = app_memory_kib(&app_binary()).unwrap();
    println!(
        "launch to the first listing: {} ms ({shown} listings shown); \
         memory after a minute: {} MiB",
        first.as_millis(),
        memory / 1024
    );
    w.close().await.unwrap();
}

/// Standard base64, as `atob` in the page reads it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Waits until every image `css` matches has loaded with pixels.
async fn wait_images_loaded(w: &Window, css: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let loaded = w
            .s()
            .execute(
                "const imgs = [...document.querySelectorAll(arguments[0])];
                 return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);",
                vec![serde_json::json!(css)],
            )
            .await?;
        if loaded.as_bool() == Some(true) {
            return Ok(());
        }
        if started.elapsed() > SCREEN {
            bail!("{css} did not load");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn a_photo_added_to_a_listing_shows_as_its_thumbnail() {
    use highland_engine::photos::sample::{jpeg, synthetic_photo};
    let w = Window::open("photo").await.unwrap();
    let outcome = async {
        choose_english(&w).await?;
        w.s().click_on(&id("start-demo"), SCREEN).await?;
        w.s().click_on(&id("listing-item"), SCREEN).await?;
        w.s().wait_for(&id("photo-strip"), SCREEN).await?;
        // What the camera or the gallery hands the file input.
        let picture = base64(&jpeg(&synthetic_photo(1200, 900, 7), 90));
        let chosen = w
            .s()
            .execute(
                "const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
                 const input = document.querySelector('[data-testid=\"photo-input\"]');
                 const files = new DataTransfer();
                 files.items.add(new File([bytes], 'yak.jpg', { type: 'image/jpeg' }));
                 input.files = files.files;
                 const taken = input.files.length;
                 input.dispatchEvent(new Event('change', { bubbles: true }));
                 return taken;",
                vec![serde_json::json!(picture)],
            )
            .await?;
        if chosen.as_i64() != Some(1) {
            bail!("the file input took {chosen} files");
        }
        w.wait_count(&id("photo-thumbnail"), 1, SCREEN).await?;
        // Shown through the photo: protocol, past the page's CSP.
        wait_images_loaded(&w, &id("photo-thumbnail")).await?;
        w.shot("listing-photo").await?;
        w.s().click_on(&id("nav-products"), SCREEN).await?;
        wait_images_loaded(&w, &id("listing-photo")).await?;
        w.shot("products-photo").await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

/// Waits until the sync bar counts `want(n)` changes waiting.
async fn wait_pending(
    w: &Window,
    what: &str,
    want: impl Fn(i64) -> bool,
    limit: Duration,
) -> anyhow::Result<i64> {
    let started = Instant::now();
    loop {
        let n = w.pending().await?;
        if want(n) {
            return Ok(n);
        }
        if started.elapsed() > limit {
            bail!("{n} changes waiting, not {what}, after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens the lesson from the products screen and waits for `step` to be ticked.
async fn lesson_step_done(w: &Window, step: &str) -> anyhow::Result<()> {
    w.s().click_on(&id("nav-products"), SCREEN).await?;
    w.s().click_on(&id("open-lesson"), SCREEN).await?;
    w.s()
        .wait_for(
            &format!("{}[data-done=\"yes\"]", id(&format!("lesson-step-{step}"))),
            SYNC,
        )
        .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn a_lesson_on_a_workshop_hub_ticks_off_a_listing_an_offline_sale_its_sync_and_the_buyers_order_on_thursdays_truck()
 {
    // The real `highland-hub workshop`, whose buyer orders a new listing a
    // second after it arrives; the tablet joins with a printed card's code.
    let hub = WorkshopHub::start(&[
        "--listen",
        "127.0.0.1:0",
        "--trainees",
        "2",
        "--no-advertise",
        "--order-after-secs",
        "1",
    ])
    .unwrap();
    let card = hub.info.trainees[0].clone();
    let w = Window::open("lesson").await.unwrap();
    let outcome = async {
        enroll_by_code(&w, &hub.info.hub_url, &card.code).await?;

        // The lesson, from the products screen.
        w.s().click_on(&id("open-lesson"), SCREEN).await?;
        w.s().click_on(&id("lesson-start"), SCREEN).await?;
        w.s()
            .wait_for(
                &format!("{}[aria-current=\"step\"]", id("lesson-step-list_product")),
                SCREEN,
            )
            .await?;
        w.shot("lesson-started").await?;

        // Step one, through the lesson's own button.
        w.s().click_on(&id("lesson-go-list_product"), SCREEN).await?;
        list_honey(&w).await?;
        lesson_step_done(&w, "list_product").await?;
        wait_pending(&w, "0", |n| n == 0, SYNC).await?;
        let listing = hub
            .listings()?
            .into_iter()
            .find(|l| l.title == "སྦྲང་རྩི། Honey")
            .context("the listing reached the hub")?;

        // The trainer's practice network: Offline, shown in the bar.
        w.s()
            .click_on(&id("lesson-network-sale_offline"), SCREEN)
            .await?;
        w.s().wait_for(&id("screen-settings"), SCREEN).await?;
        w.s().click_on(&id("network-offline"), SCREEN).await?;
        w.s()
            .wait_for(
                &format!("{}[data-network=\"offline\"]", id("sync-network")),
                SCREEN,
            )
            .await?;
        w.shot("network-offline").await?;

        // A sale with no signal: it waits, and the sync cannot deliver it.
        w.s().click_on(&id("nav-sell"), SCREEN).await?;
        let pick = format!("{}[data-id=\"{}\"]", id("sell-pick"), listing.id);
        w.s().click_on(&pick, SCREEN).await?;
        tap_keys(&w, "quantity-keypad", "2").await?;
        w.s().click_on(&id("payment-cash"), SCREEN).await?;
        w.s().click_on(&id("sale-confirm"), SCREEN).await?;
        w.s().wait_for(&id("sale-done"), SCREEN).await?;
        wait_pending(&w, "at least 1", |n| n >= 1, SCREEN).await?;
        w.s().wait_for(&id("sync-error"), SYNC).await?;
        if hub.sales()?.iter().any(|s| s.listing_id == listing.id) {
            bail!("the sale reached the hub through a simulated offline network");
        }
        lesson_step_done(&w, "sale_offline").await?;
        // The failed syncs' news does not hide the sale still waiting.
        tokio::time::sleep(Duration::from_secs(2)).await;
        wait_pending(&w, "at least 1", |n| n >= 1, SCREEN).await?;
        w.shot("lesson-offline-sale").await?;

        // The signal returns: Good, then the lesson's "Send now".
        w.s().click_on(&id("nav-settings"), SCREEN).await?;
        w.s().click_on(&id("network-good"), SCREEN).await?;
        w.s()
            .wait_for(
                &format!("{}[data-network=\"good\"]", id("sync-network")),
                SCREEN,
            )
            .await?;
        w.s().click_on(&id("nav-products"), SCREEN).await?;
        w.s().click_on(&id("open-lesson"), SCREEN).await?;
        w.s().wait_for(&id("lesson-step-sync"), SCREEN).await?;
        // Switching the network back wakes the background sync, which may
        // have delivered the sale already; if not, the lesson's "Send now".
        w.s()
            .execute(
                "const b = document.querySelector(arguments[0]); if (b) b.click(); return b !== null;",
                vec![serde_json::json!(id("lesson-go-sync"))],
            )
            .await?;
        wait_pending(&w, "0", |n| n == 0, SYNC).await?;
        lesson_step_done(&w, "sync").await?;
        w.shot("lesson-synced").await?;
        let sales = hub.sales()?;
        if !sales
            .iter()
            .any(|s| s.listing_id == listing.id && s.quantity == 2 && s.payment == "cash")
        {
            bail!("the offline sale is not on the hub: {sales:?}");
        }

        // The workshop's buyer has ordered the honey on Thursday's truck:
        // the lesson leads to the orders, where the order rides the demo
        // round; the trainee says they will be at the stop, then accepts
        // the order there.
        w.s().click_on(&id("lesson-go-accept_order"), SCREEN).await?;
        w.s().wait_for(&id("screen-orders"), SCREEN).await?;
        let order = id("round-order");
        if w.count(&order).await? == 0 {
            w.s().click_on(&id("sync-now"), SCREEN).await?;
        }
        w.s().wait_for(&order, SYNC).await?;
        let comes = w
            .s()
            .text(&w.s().wait_for(&id("round-comes"), SCREEN).await?)
            .await?;
        if !comes.contains("Thursday") {
            bail!("the round does not say the truck comes on Thursday: {comes:?}");
        }
        w.s().click_on(&id("round-coming"), SCREEN).await?;
        w.s().wait_for(&id("round-answer"), SCREEN).await?;
        w.shot("lesson-round").await?;
        w.s().click_on(&order, SCREEN).await?;
        w.s().wait_for(&id("screen-order"), SCREEN).await?;
        w.shot("lesson-order").await?;
        w.s().click_on(&id("order-accept"), SCREEN).await?;
        w.s()
            .wait_for(
                &format!("{}.state-accepted", id("order-detail-state")),
                SCREEN,
            )
            .await?;
        lesson_step_done(&w, "accept_order").await?;
        w.shot("lesson-order-accepted").await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

// --- The seller's hands: flows counted in taps (issue 18) -------------------

/// Counts the seller's taps through a flow, and fails it past its budget.
struct Taps<'w> {
    w: &'w Window,
    count: usize,
}

impl<'w> Taps<'w> {
    fn new(w: &'w Window) -> Taps<'w> {
        Taps { w, count: 0 }
    }

    async fn tap(&mut self, testid: &str) -> anyhow::Result<()> {
        self.count += 1;
        self.w.s().click_on(&id(testid), SCREEN).await
    }

    async fn keys(&mut self, keypad: &str, keys: &str) -> anyhow::Result<()> {
        for k in keys.chars() {
            let key = if k == '.' {
                "point".to_owned()
            } else {
                k.to_string()
            };
            self.tap(&format!("{keypad}-{key}")).await?;
        }
        Ok(())
    }

    /// What the camera or the gallery hands a file input: one tap for the seller.
    async fn photo(
        &mut self,
        testid: &str,
        name: &str,
        bytes: &[u8],
        kind: &str,
    ) -> anyhow::Result<()> {
        self.count += 1;
        let chosen = self
            .w
            .s()
            .execute(
                "const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
                 const input = document.querySelector(arguments[1]);
                 const files = new DataTransfer();
                 files.items.add(new File([bytes], arguments[2], { type: arguments[3] }));
                 input.files = files.files;
                 // Counted before the change: a scan clears its input at once.
                 const taken = input.files.length;
                 input.dispatchEvent(new Event('change', { bubbles: true }));
                 return taken;",
                vec![
                    serde_json::json!(base64(bytes)),
                    serde_json::json!(id(testid)),
                    serde_json::json!(name),
                    serde_json::json!(kind),
                ],
            )
            .await?;
        if chosen.as_i64() != Some(1) {
            bail!("{testid} took {chosen} files");
        }
        Ok(())
    }

    fn within(&self, budget: usize, flow: &str) -> anyhow::Result<()> {
        eprintln!("{flow}: {} taps (budget {budget})", self.count);
        if self.count > budget {
            bail!(
                "{flow} took {} taps, over its budget of {budget}",
                self.count
            );
        }
        Ok(())
    }
}

impl Window {
    /// Quits the app and starts it again on the same data: a launch.
    async fn relaunch(mut self) -> anyhow::Result<Window> {
        if let Some(s) = self.session.take() {
            s.quit().await?;
        }
        let Window { data, name, .. } = self;
        Window::open_in(&name, data).await
    }
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn a_sale_takes_three_taps_from_launch_shows_todays_total_and_undoes_in_one() {
    for lang in LANGUAGES {
        let w = Window::open(&format!("sale-{lang}")).await.unwrap();
        let outcome = async {
            w.s().wait_for(&id("screen-first-run"), SCREEN).await?;
            w.s().click_on(&id(&format!("lang-{lang}")), SCREEN).await?;
            w.s().click_on(&id("start-demo"), SCREEN).await?;
            w.wait_count(&id("listing-item"), 5, SCREEN).await?;
            // Launched again: the app opens on Sell, with today's total.
            let w = w.relaunch().await?;
            w.s().wait_for(&id("screen-sell"), SCREEN).await?;
            let today = w.s().wait_for(&id("today-total"), SCREEN).await?;
            let count_before: i64 = w
                .s()
                .attribute(&today, "data-count")
                .await?
                .context("data-count")?
                .parse()?;
            w.shot("screen-sell-home").await?;
            // A product with stock to spare (not marked low).
            let tile = w
                .s()
                .wait_for(&format!("{}[data-low=\"false\"]", id("sell-pick")), SCREEN)
                .await?;
            let listing = w
                .s()
                .attribute(&tile, "data-id")
                .await?
                .context("data-id")?;
            let stock_before = w
                .s()
                .text(
                    &w.s()
                        .wait_for(
                            &format!(
                                "{}[data-id=\"{listing}\"] {}",
                                id("sell-pick"),
                                id("sell-stock")
                            ),
                            SCREEN,
                        )
                        .await?,
                )
                .await?;

            let mut taps = Taps::new(&w);
            taps.tap(&format!("sell-pick\"][data-id=\"{listing}"))
                .await?;
            taps.keys("quantity-keypad", "1").await?;
            w.shot("screen-sell-quantity").await?;
            taps.tap("sale-confirm").await?;
            w.s().wait_for(&id("sale-undo"), SCREEN).await?;
            taps.within(3, "a sale from launch")?;
            let after = w
                .s()
                .wait_until(&id("today-total"), "counted", SCREEN, |s| {
                    s.count.as_deref().and_then(|c| c.parse::<i64>().ok()) == Some(count_before + 1)
                })
                .await;
            after?;
            w.shot("screen-sale-done").await?;

            let mut undo = Taps::new(&w);
            undo.tap("sale-undo").await?;
            w.s().wait_for(&id("sale-undone"), SCREEN).await?;
            undo.within(1, "undoing a sale")?;
            w.s()
                .wait_until(&id("today-total"), "back", SCREEN, |s| {
                    s.count.as_deref().and_then(|c| c.parse::<i64>().ok()) == Some(count_before)
                })
                .await?;
            let stock_css = format!(
                "{}[data-id=\"{listing}\"] {}",
                id("sell-pick"),
                id("sell-stock")
            );
            w.s()
                .wait_until(&stock_css, "restored", SCREEN, |s| s.text == stock_before)
                .await?;
            w.shot("screen-sale-undone").await?;
            anyhow::Ok(w)
        }
        .await;
        match outcome {
            Ok(w) => w.close().await.unwrap(),
            Err(e) => panic!("{e:#}"),
        }
    }
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn a_listing_with_its_photo_takes_at_most_ten_taps_from_the_products() {
    use highland_engine::photos::sample::{jpeg, synthetic_photo};
    let w = Window::open("listing-photo").await.unwrap();
    let outcome = async {
        choose_english(&w).await?;
        w.s().click_on(&id("start-demo"), SCREEN).await?;
        w.s().wait_for(&id("screen-products"), SCREEN).await?;
        let mut taps = Taps::new(&w);
        taps.tap("add-listing").await?;
        w.s().wait_for(&id("screen-listing-form"), SCREEN).await?;
        taps.photo(
            "form-photo-camera",
            "honey.jpg",
            &jpeg(&synthetic_photo(1200, 900, 3), 90),
            "image/jpeg",
        )
        .await?;
        wait_images_loaded(&w, &id("form-photo-preview")).await?;
        taps.tap("category-honey").await?;
        taps.tap("unit-jar").await?;
        taps.keys("price-keypad", "45").await?;
        taps.tap("pad-stock-tab").await?;
        taps.keys("stock-keypad", "12").await?;
        w.shot("screen-listing-form-photo").await?;
        taps.tap("listing-save").await?;
        w.s().wait_for(&id("screen-listing"), SCREEN).await?;
        taps.within(10, "a listing with its photo")?;
        let title = w
            .s()
            .text(&w.s().wait_for(&id("listing-detail-title"), SCREEN).await?)
            .await?;
        if title != "Honey" {
            bail!("the listing is called {title:?}, not the category's name");
        }
        w.wait_count(&id("photo-thumbnail"), 1, SCREEN).await?;
        wait_images_loaded(&w, &id("listing-cover")).await?;
        w.shot("screen-listing-with-photo").await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn one_scan_of_an_enrollment_card_enrolls_through_the_rust_decoder() {
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Dolma", "Xidang").unwrap();
    // The card as the hub prints it, photographed: its QR code as a PNG.
    let card = format!("highland://enroll?hub={}&code={}", hub.url(), seller.code);
    let picture = highland_label::Qr::new(&card).unwrap().png(8);
    let w = Window::open("scan").await.unwrap();
    let outcome = async {
        choose_english(&w).await?;
        w.s().wait_for(&id("enroll-scan"), SCREEN).await?;
        w.shot("screen-enroll-scan").await?;
        let mut taps = Taps::new(&w);
        taps.photo("enroll-scan-input", "card.png", &picture, "image/png")
            .await?;
        w.s().wait_for(&id("screen-products"), SCREEN).await?;
        taps.within(1, "enrolling by a scan")?;
        w.shot("screen-enrolled-by-scan").await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| {
        panic!(
            "{e:#}\n--- tauri-driver and app log:\n{log}\n--- hub log:\n{}",
            hub.log()
        )
    });
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn search_finds_a_product_by_name_on_the_products_screen() {
    let w = Window::open("search").await.unwrap();
    let outcome = async {
        choose_english(&w).await?;
        w.s().click_on(&id("start-demo"), SCREEN).await?;
        w.wait_count(&id("listing-item"), 5, SCREEN).await?;
        w.s().wait_for(&id("listing-title"), SCREEN).await?;
        let title = w
            .s()
            .execute(
                "return document.querySelector(arguments[0]).textContent",
                vec![serde_json::json!(id("listing-title"))],
            )
            .await?;
        let title = title.as_str().unwrap_or_default().to_owned();
        let word = title
            .split_whitespace()
            .last()
            .context("a title")?
            .to_owned();
        let field = w.s().wait_for(&id("products-search"), SCREEN).await?;
        w.s().type_text(&field, &word).await?;
        let shown = w.count(&id("listing-item")).await?;
        if shown == 0 || shown >= 5 {
            bail!("searching {word:?} shows {shown} of 5 products");
        }
        w.shot("screen-products-search").await?;
        w.s().type_text(&field, "zzzz").await?;
        w.wait_count(&id("listing-item"), 0, SCREEN).await?;
        w.s().wait_for(&id("products-no-match"), SCREEN).await?;
        anyhow::Ok(())
    }
    .await;
    let log = w.log();
    w.close().await.ok();
    outcome.unwrap_or_else(|e| panic!("{e:#}\n--- tauri-driver and app log:\n{log}"));
}

/// An AppImage as far as the updater can tell (ELF's magic, then padding),
/// marked with `mark` so that which one is installed shows.
fn fake_appimage(mark: &str) -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
    bytes.extend_from_slice(mark.as_bytes());
    bytes.resize(64 * 1024, 0);
    bytes
}

#[tokio::test]
#[ignore = "needs the app window: scripts/app-tests.sh"]
async fn the_app_updates_itself_from_its_hub_with_a_signed_release() {
    use std::os::unix::fs::PermissionsExt;
    let hub = Hub::start().unwrap();
    let seller = hub.add_seller("Lhamo", "Yubeng").unwrap();
    // The release on the hub, signed with the test key this build trusts
    // (scripts/app-tests.sh builds the app with it).
    let files = tempfile::tempdir().unwrap();
    let release = files.path().join("Highland_9.1.0_amd64.AppImage");
    std::fs::write(&release, fake_appimage("the new Highland")).unwrap();
    let signature = highland_e2e::release::ReleaseKey::fixture()
        .and_then(|key| key.sign(&release, "9.1.0"))
        .unwrap();
    hub.ok(&[
        "release",
        "add",
        &release.to_string_lossy(),
        "--version",
        "9.1.0",
        "--signature",
        &signature.to_string_lossy(),
        "--platform",
        &highland_domain::Platform::current().unwrap().to_string(),
    ])
    .unwrap();
    // The app as installed: an AppImage the updater replaces.
    let installed = files.path().join("Highland.AppImage");
    std::fs::write(&installed, fake_appimage("the old Highland")).unwrap();
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755)).unwrap();

    let data = tempfile::Builder::new()
        .prefix("highland-app-")
        .tempdir()
        .unwrap();
    let w = Window::open_with("update", data, &[("APPIMAGE", installed.as_os_str())])
        .await
        .unwrap();
    let outcome = async {
        enroll_by_code(&w, &hub.url(), &seller.code).await?;
        // The first sync says a new Highland is ready.
        let notice = w.s().wait_for(&id("update-notice"), SYNC).await?;
        let version = w.s().attribute(&notice, "data-version").await?;
        anyhow::ensure!(version.as_deref() == Some("9.1.0"), "{version:?}");
        w.shot("update-ready").await?;
        w.s().click_on(&id("update-install"), SCREEN).await?;
        w.s().wait_for(&id("update-installed"), SYNC).await?;
        w.shot("update-installed").await?;
        let now = std::fs::read(&installed)?;
        anyhow::ensure!(
            now == std::fs::read(&release)?,
            "the AppImage is the signed release, byte for byte"
        );
        let mode = std::fs::metadata(&installed)?.permissions().mode() & 0o777;
        anyhow::ensure!(mode == 0o755, "still executable: {mode:o}");
        anyhow::ensure!(w.count(&id("update-restart")).await? == 1);
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let log = w.log();
    w.close().await.unwrap();
    outcome.unwrap_or_else(|e| panic!("{e:#}\napp log:\n{log}\nhub log:\n{}", hub.log()));
}
