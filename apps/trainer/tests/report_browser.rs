//! A run's report in a real browser: headless Chromium (Debian's `chromium` package) opens the
//! `report.html` of a short training run and we check what a student would see: no console
//! error, no request leaving the file, every picture decoded, the accuracies of `metrics.json`,
//! and a page that is not blank. The run directory's name holds markup, which must show as text.

#[allow(dead_code)] // Its picture check serves the other test files.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::json_file;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Network, Page};
use headless_chrome::{Browser, LaunchOptions};

/// Where Debian's package puts the browser (`CHROMIUM` overrides it).
const CHROMIUM: &str = "/usr/bin/chromium";
/// The width of the browser's window, in CSS pixels.
const WIDTH: u32 = 1280;

/// The browser, or `None` (with a note) when it is not installed outside CI; in CI (`CI=true`)
/// a missing browser fails the test.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    let message = format!(
        "{}: not found; the report's browser test needs Chromium (`apt-get install chromium`, or set CHROMIUM)",
        path.display()
    );
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{message}");
    eprintln!("SKIPPED (not in CI): {message}");
    None
}

fn train(out: &Path, extra: &[&str]) -> serde_json::Value {
    let output =
        Command::new(env!("CARGO_BIN_EXE_trainer")).args(extra).arg("--out").arg(out).output().expect("run trainer");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_file(&out.join("metrics.json"))
}

/// What the page showed.
struct Seen {
    /// `{ images: [{ src, width }], training, heldOut, mistakes, title, height }`.
    page: serde_json::Value,
    console_errors: Vec<String>,
    requests: Vec<String>,
    screenshot: image::RgbImage,
}

/// Opens `page` in headless Chromium, reads what it shows and takes a screenshot of the whole
/// page (of its first `max_height` pixels).
fn open(browser: &Path, page: &Path, max_height: u32) -> Seen {
    let options = LaunchOptions::default_builder()
        .path(Some(browser.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .window_size(Some((WIDTH, 900)))
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("start chromium");
    let tab = browser.new_tab().expect("a tab");
    let console_errors = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(Mutex::new(Vec::new()));
    {
        let (errors, requests) = (Arc::clone(&console_errors), Arc::clone(&requests));
        tab.add_event_listener(Arc::new(move |event: &Event| match event {
            Event::LogEntryAdded(e) => {
                errors.lock().unwrap().push(format!("log {:?}: {}", e.params.entry.level, e.params.entry.text))
            }
            Event::RuntimeExceptionThrown(e) => {
                errors.lock().unwrap().push(format!("exception: {}", e.params.exception_details.text))
            }
            Event::RuntimeConsoleAPICalled(e) => {
                errors.lock().unwrap().push(format!("console.{:?}", e.params.Type));
            }
            Event::NetworkRequestWillBeSent(e) => requests.lock().unwrap().push(e.params.request.url.clone()),
            _ => {}
        }))
        .expect("listen");
    }
    tab.enable_log().expect("log domain");
    tab.enable_runtime().expect("runtime domain");
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .expect("network domain");
    let url = url_of(page);
    tab.navigate_to(&url).expect("navigate").wait_until_navigated().expect("page loaded");
    let script = r#"JSON.stringify({
        images: [...document.images].map(i => ({ src: i.src.slice(0, 40), complete: i.complete, width: i.naturalWidth })),
        training: document.querySelector('#training-accuracy .value')?.textContent,
        heldOut: document.querySelector('#held-out-accuracy .value')?.textContent,
        mistakes: document.querySelectorAll('#mistakes .mistake').length,
        title: document.querySelector('h1')?.textContent,
        scripts: document.scripts.length,
        height: document.documentElement.scrollHeight,
    })"#;
    let value = tab.evaluate(script, false).expect("evaluate").value.expect("a value");
    let page: serde_json::Value = serde_json::from_str(value.as_str().expect("a string")).expect("JSON");
    let height = (page["height"].as_u64().expect("height") as u32).min(max_height);
    let png = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Page::Viewport {
                x: 0.0,
                y: 0.0,
                width: f64::from(WIDTH),
                height: f64::from(height),
                scale: 1.0,
            }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .expect("screenshot")
        .data;
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD.decode(png).expect("base64");
    let screenshot = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    let console_errors = console_errors.lock().unwrap().clone();
    let requests = requests.lock().unwrap().clone();
    Seen { page, console_errors, requests, screenshot }
}

/// `file://` URL of a path, each byte outside the unreserved set percent-encoded.
fn url_of(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap();
    let mut url = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// Checks everything the student sees, and returns the screenshot.
fn check_report(browser: &Path, dir: &Path, metrics: &serde_json::Value, max_height: u32) -> image::RgbImage {
    let report = dir.join("report.html");
    let seen = open(browser, &report, max_height);
    assert!(seen.console_errors.is_empty(), "console: {:?}", seen.console_errors);
    let own = url_of(&report);
    let outside: Vec<&String> = seen.requests.iter().filter(|u| !u.starts_with("data:") && **u != own).collect();
    assert!(outside.is_empty(), "requests beyond the file: {outside:?}");
    let page = &seen.page;
    assert_eq!(page["scripts"], 0, "the report runs no script");
    let images = page["images"].as_array().unwrap();
    // The cost curve, 4 moments of the hidden layer, the confusion matrix, the mistakes, the digits.
    assert!(images.len() >= 8, "{images:?}");
    for image in images {
        assert!(image["complete"] == true && image["width"].as_u64().unwrap() > 0, "not loaded: {image}");
    }
    let shown = |key: &str| page[key].as_str().unwrap_or_default().to_string();
    assert_eq!(shown("training"), format!("{:.2}%", metrics["training"]["accuracy"].as_f64().unwrap()));
    assert_eq!(shown("heldOut"), format!("{:.2}%", metrics["test"]["accuracy"].as_f64().unwrap()));
    let kept = metrics["mistakes"]["kept"].as_u64().unwrap();
    assert_eq!(page["mistakes"].as_u64().unwrap(), kept.min(100));
    assert!(kept > 0);
    let name = dir.file_name().unwrap().to_string_lossy();
    assert_eq!(shown("title"), format!("Run {name}"), "the directory's name shows as text");
    // Not blank: a good part of the page is drawn, in many colours.
    let shot = seen.screenshot;
    let white = image::Rgb([255, 255, 255]);
    let drawn = shot.pixels().filter(|p| **p != white).count();
    assert!(drawn > (shot.width() * shot.height() / 20) as usize, "blank: {drawn} pixels drawn");
    let colours: std::collections::HashSet<[u8; 3]> = shot.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 50, "{} colours", colours.len());
    shot
}

#[test]
fn a_run_report_shows_every_part_in_a_real_browser_and_fetches_nothing() {
    let Some(browser) = chromium() else { return };
    let scratch = std::env::temp_dir().join(format!("ex4-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    // A directory name that is markup: it must show as text, and run nothing.
    let dir = scratch.join("runs").join("run <script>alert(1)<img src=x onerror=alert(2)> & co");
    let metrics = train(&dir, &["--iterations", "20"]);
    let shot = check_report(&browser, &dir, &metrics, 20_000);
    assert!(shot.height() > 2000, "the whole page: {:?}", shot.dimensions());
    // The index of runs/ links to the report, and shows the name as text too.
    let index = std::fs::read_to_string(scratch.join("runs").join("index.html")).unwrap();
    assert!(index.contains(">run &lt;script&gt;alert(1)&lt;img src=x onerror=alert(2)&gt; &amp; co<"), "{index}");
    assert!(!index.contains("<script") && !index.contains("<img"), "{index}");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The README's picture: the default run's report down to the hidden units, written to
/// `docs/report.png` (`just screenshot`).
#[test]
#[ignore = "writes docs/report.png; run by `just screenshot`"]
fn readme_screenshot_of_the_default_run() {
    let browser = chromium().expect("chromium");
    let scratch = std::env::temp_dir().join(format!("ex4-screenshot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let dir = scratch.join("runs").join("20261206-120000-lbfgs-lambda1");
    let metrics = train(&dir, &[]);
    let shot = check_report(&browser, &dir, &metrics, 2250);
    let small = image::imageops::resize(
        &shot,
        shot.width() * 3 / 5,
        shot.height() * 3 / 5,
        image::imageops::FilterType::Lanczos3,
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.png");
    small.save(&path).unwrap();
    println!("wrote {} ({}x{})", path.display(), small.width(), small.height());
    let _ = std::fs::remove_dir_all(&scratch);
}
