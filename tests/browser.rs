//! The HTML exports in a real browser: headless Chromium loads each page at a phone's
//! width and must log nothing to the console, show every placed session in a cell with
//! a size, and keep the page itself from scrolling sideways (wide grids scroll inside
//! their own box).
//!
//! Needs Debian's `chromium` (or `$CHROMIUM`); without it the test says so and passes,
//! unless `AGENDA_CI=1` (set by `.ci/run`, which installs it) makes its absence a failure.

use agenda_solver::cost::evaluate;
use agenda_solver::export::{self, Report};
use agenda_solver::{load_agenda, load_instance, Agenda, Problem};
use ietf_agenda::{data, first_fit, shared_dataset};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs in the page after load and writes what the page shows into `data-probe`, which
/// `--dump-dom` then prints: the document's width against the window's, and the
/// session labels whose cells have a size on screen.
const PROBE: &str = r#"<script>addEventListener("load",()=>{const shown=[...document.querySelectorAll("td strong")].filter(e=>{const r=e.getBoundingClientRect();return r.width>0&&r.height>0}).map(e=>e.textContent);document.body.setAttribute("data-probe",JSON.stringify({width:document.documentElement.scrollWidth,window:innerWidth,shown}))});</script>"#;

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("AGENDA_CI").as_deref() != Ok("1"),
            "AGENDA_CI=1 but chromium is not installed (.ci/run installs Debian's `chromium`)"
        );
        eprintln!(
            "NOTICE: chromium not found; skipping the browser test (apt-get install chromium)"
        );
    }
    found
}

/// What Chromium made of one page.
struct Loaded {
    /// The console lines Chromium logged (`:CONSOLE` in its log).
    console: Vec<String>,
    width: u64,
    window: u64,
    shown: Vec<String>,
}

/// Loads `html` (with the probe added) in headless Chromium at a phone's window size.
fn load(chromium: &Path, name: &str, html: &str) -> Loaded {
    let dir = std::env::temp_dir().join(format!("agenda-browser-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page.html");
    std::fs::write(&page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    // The flags are the ones this machine's notes give for a closed network: without
    // them Chromium keeps trying to reach Google's hosts.
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=390,844",
            "--enable-logging=stderr",
            "--v=0",
            "--timeout=20000",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let _ = std::fs::remove_dir_all(&dir);
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let probe = dom
        .split("data-probe=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{name}: the page never finished loading\n{log}"))
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let v: serde_json::Value = serde_json::from_str(&probe).unwrap();
    Loaded {
        console: log
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
        width: v["width"].as_u64().unwrap(),
        window: v["window"].as_u64().unwrap(),
        shown: v["shown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect(),
    }
}

/// The pages to check: tiny's agenda and its diff always, IETF 106 when the shared
/// datasets are present (a wide grid: 20-odd rooms).
fn pages() -> Vec<(String, Problem, Agenda, Option<Agenda>)> {
    let tiny = Problem::from_instance(&load_instance(data("tiny.json")).unwrap()).unwrap();
    let agenda = load_agenda(data("tiny-agenda.json")).unwrap();
    let (moved, _, _) = ietf_agenda::trade_two_blocks(&agenda);
    let mut pages = vec![
        ("tiny".to_string(), tiny.clone(), agenda.clone(), None),
        ("tiny-diff".to_string(), tiny, agenda, Some(moved)),
    ];
    if let Some(path) = shared_dataset("ietf106.json") {
        let p = Problem::from_instance(&load_instance(path).unwrap()).unwrap();
        let schedule = first_fit(&p);
        let a = schedule.to_agenda(&p, &evaluate(&p, &schedule));
        pages.push(("ietf106".to_string(), p, a, None));
    }
    pages
}

#[test]
fn html_pages_load_cleanly_and_show_every_session_on_a_phone() {
    let Some(chromium) = chromium() else { return };
    // The console check must be able to fail: a page that logs is seen logging.
    let control = load(
        &chromium,
        "control",
        "<!DOCTYPE html><html><body><script>console.error('control')</script></body></html>",
    );
    assert!(
        control.console.iter().any(|l| l.contains("control")),
        "Chromium's console log format changed: {:?}",
        control.console
    );
    for (name, p, agenda, after) in pages() {
        let (html, shown_agenda) = match &after {
            None => (export::html::render(&Report::new(&p, &agenda)), &agenda),
            Some(after) => {
                let d = agenda_solver::diff::diff(&p, &agenda, after);
                (
                    export::html::render_diff(&Report::new(&p, after), &d),
                    after,
                )
            }
        };
        let loaded = load(&chromium, &name, &html);
        assert!(loaded.console.is_empty(), "{name}: {:?}", loaded.console);
        assert!(
            loaded.window <= 600,
            "{name}: window {} is not a phone's",
            loaded.window
        );
        assert!(
            loaded.width <= loaded.window,
            "{name}: the page is {} px wide in a {} px window",
            loaded.width,
            loaded.window
        );
        let report = Report::new(&p, shown_agenda);
        let mut expected: Vec<String> = report
            .schedule
            .placed()
            .map(|(s, _)| p.session_label(s))
            .collect();
        let mut shown = loaded.shown.clone();
        expected.sort();
        shown.sort();
        assert_eq!(shown, expected, "{name}: the sessions on screen");
    }
}
