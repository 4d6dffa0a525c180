//! What every page shares: the frame, the style, pictures as `data:` URIs, small inline charts.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::ReportError;

/// The style of every page: plain, readable, printable; nothing fetched.
const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1180px; padding: 1rem 1.5rem 3rem; color: #1d2330; background: #fff; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.2rem; word-break: break-all; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.4rem; border-bottom: 1px solid #d6dae3; padding-bottom: 0.2rem; }
p.note { color: #4a5263; margin: 0.2rem 0 0.8rem; max-width: 60rem; }
table { border-collapse: collapse; }
td, th { padding: 0.2rem 0.7rem; text-align: left; vertical-align: top; }
th { color: #4a5263; font-weight: 600; }
table.grid td, table.grid th { border-bottom: 1px solid #e6e9ef; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0.6rem 0; }
.figure { border: 1px solid #d6dae3; border-radius: 6px; padding: 0.6rem 1rem; min-width: 11rem; }
.figure .value { font-size: 1.8rem; font-weight: 600; }
.figure .label { color: #4a5263; font-size: 0.9rem; }
img.chart { width: 100%; max-width: 900px; height: auto; }
img.pixels { image-rendering: pixelated; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.panel { text-align: center; }
.panel img { width: 250px; height: auto; border: 1px solid #d6dae3; }
.panel .caption { font-size: 0.95rem; margin-bottom: 0.3rem; }
.best { background: #e9f7ec; }
.bar { display: inline-block; height: 0.8rem; background: #3b6fd8; vertical-align: middle; }
.mistakes { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 0.6rem; }
.mistake { border: 1px solid #e0c4c4; border-radius: 6px; padding: 0.3rem; text-align: center; font-size: 0.85rem; }
.mistake img { width: 60px; height: 60px; }
.mistake .said { color: #b3261e; font-weight: 600; }
.ok { color: #1e7b34; } .bad { color: #b3261e; }
a { color: #2457c5; }
footer { margin-top: 2.5rem; color: #6b7385; font-size: 0.85rem; }
"#;

/// A complete page: title, style and body.
pub(crate) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (body)
                footer { "Made by the ex4 trainer. Everything on this page is inside this one file; it opens offline." }
            }
        }
    }
}

/// Writes `page` to `path` atomically, and returns the path; an error names the file.
pub(crate) fn write_page(path: PathBuf, page: Markup) -> Result<PathBuf, ReportError> {
    data::mat::write_atomic(&path, page.into_string().as_bytes())
        .map_err(|e| ReportError::new(&path, format!("cannot write: {e}")))?;
    Ok(path)
}

/// `bytes` as a `data:` URI of `mime` type.
pub(crate) fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// An RGB picture as a PNG `data:` URI.
pub(crate) fn png_uri(file: &Path, image: &image::RgbImage) -> Result<String, ReportError> {
    let bytes = pictures::png_bytes(image).map_err(|e| ReportError::new(file, e))?;
    Ok(data_uri("image/png", &bytes))
}

/// An SVG document as a `data:` URI (shown by an `<img>`, it runs nothing).
pub(crate) fn svg_uri(svg: &str) -> String {
    data_uri("image/svg+xml", svg.as_bytes())
}

/// The ten outputs of the network for one digit as bars, digit 0 to 9 left to right: the
/// predicted digit's bar in red, the true digit's in green, the others in grey; each bar's
/// height is the output (0 to 1).
pub(crate) fn output_bars(outputs: &[f64], actual: usize, predicted: usize) -> Markup {
    let (bar, gap, height, label) = (11.0, 2.0, 40.0, 11.0);
    let width = outputs.len() as f64 * (bar + gap);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height + label + 2.0)
            viewBox=(format!("0 0 {width} {}", height + label + 2.0)) role="img"
            aria-label=(format!("outputs by digit: {}", outputs.iter().map(|o| format!("{o:.2}")).collect::<Vec<_>>().join(" "))) {
            line x1="0" y1=(height) x2=(width) y2=(height) stroke="#9aa1b0" stroke-width="1" {}
            @for (digit, &output) in outputs.iter().enumerate() {
                @let h = (output.clamp(0.0, 1.0) * height).max(0.5);
                @let x = digit as f64 * (bar + gap);
                @let fill = if digit == predicted { "#d93025" } else if digit == actual { "#1e8e3e" } else { "#9aa1b0" };
                rect x=(x) y=(height - h) width=(bar) height=(h) fill=(fill) {
                    title { (format!("digit {digit}: {output:.3}")) }
                }
                text x=(x + bar / 2.0) y=(height + label) font-size="10" text-anchor="middle" fill="#4a5263" { (digit) }
            }
        }
    }
}

/// A percentage with two decimals.
pub(crate) fn percent(value: f64) -> String {
    format!("{value:.2}%")
}

/// A cost with six decimals (in scientific notation when small).
pub(crate) fn cost(value: f64) -> String {
    if value.abs() >= 1e-3 || value == 0.0 { format!("{value:.6}") } else { format!("{value:.3e}") }
}

/// Seconds, readably.
pub(crate) fn seconds(value: f64) -> String {
    if value < 10.0 { format!("{value:.2} s") } else { format!("{value:.1} s") }
}

/// The last part of a path (a directory's or a file's name), as given when it has none.
pub(crate) fn file_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// A path segment (a directory's name) for a relative link: every byte outside the unreserved
/// set percent-encoded, so that `#`, `?`, `%` or spaces in a name do not break the link.
pub(crate) fn href_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_survive_any_name() {
        assert_eq!(href_segment("20261206-lbfgs-lambda0.3"), "20261206-lbfgs-lambda0.3");
        assert_eq!(href_segment("a b#c?<d>%"), "a%20b%23c%3F%3Cd%3E%25");
    }

    #[test]
    fn pages_escape_what_they_are_given() {
        let html =
            page("<script>alert(1)</script>", html! { p { ("<img src=x onerror=alert(2)> & co") } }).into_string();
        assert!(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(2)&gt; &amp; co"), "{html}");
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
    }

    #[test]
    fn output_bars_have_one_bar_per_digit_coloured_by_role() {
        let svg = output_bars(&[0.1, 0.0, 0.9, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05], 3, 2).into_string();
        assert_eq!(svg.matches("<rect").count(), 10);
        assert_eq!(svg.matches("#d93025").count(), 1, "the digit said");
        assert_eq!(svg.matches("#1e8e3e").count(), 1, "the true digit");
        assert!(svg.contains("digit 2: 0.900"));
    }
}
