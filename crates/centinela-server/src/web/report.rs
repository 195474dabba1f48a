//! The infographic report of one country and period, in Spanish or
//! English: an SVG (drawn here, server-side) and a printable HTML page that
//! holds it and the published tables. Built only from a k-anonymous
//! [`Release`]: a suppressed figure is drawn as "—", never as its value.

use std::fmt::Write;

use centinela_stats::{PublishedTable, Release};

use super::i18n::{Lang, tr, tr_or};

/// What the report is about.
#[derive(Debug, Clone, Copy)]
pub struct ReportMeta<'a> {
    /// ISO 3166-1 alpha-3 code of the country.
    pub country: &'a str,
    /// First and last day (`YYYY-MM-DD`), empty when open.
    pub from: &'a str,
    pub to: &'a str,
}

const W: f64 = 900.0;
const INK: &str = "#1d2b36";
const MUTED: &str = "#5b6b78";
const BAR: &str = "#1f6f8b";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A category's label in `lang`.
fn label(lang: Lang, dim: &str, v: &str) -> String {
    let key = match (dim, v) {
        (_, "unknown") => "report.unknown".to_string(),
        ("nationality", "other") => "report.other".to_string(),
        ("sex", _) => format!("report.sex_{v}"),
        ("direction", _) => format!("direction.{v}"),
        ("verdict", _) => format!("stats.{v}"),
        ("unit", _) => format!("unit.{v}"),
        ("decision", _) => format!("decision.{v}"),
        ("exploitation", "Multiple") => "stats.exploitation_multiple".to_string(),
        ("exploitation", _) => format!("htcds.v.{v}"),
        ("outcome", _) => format!("stats.{v}"),
        _ => return v.to_string(),
    };
    tr_or(lang, &key, v).to_string()
}

fn figure(v: Option<u64>) -> String {
    v.map_or("—".to_string(), |n| n.to_string())
}

/// Horizontal bars at (x, y), `w` wide; returns the SVG and its height.
fn hbars(x: f64, y: f64, w: f64, title: &str, items: &[(String, Option<u64>)]) -> (String, f64) {
    let row = 22.0;
    let label_w = w * 0.36;
    let max = items.iter().filter_map(|i| i.1).max().unwrap_or(1).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<text x="{x}" y="{}" font-size="15" font-weight="700" fill="{INK}">{}</text>"#,
        y + 14.0,
        esc(title)
    );
    for (i, (l, v)) in items.iter().enumerate() {
        let ty = y + 28.0 + i as f64 * row;
        let bw = v.map_or(0.0, |n| (w - label_w - 60.0) * n as f64 / max);
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{t}" font-size="12" text-anchor="end" fill="{MUTED}">{l}</text><rect x="{bx}" y="{ty}" width="{bw:.1}" height="14" fill="{BAR}"/><text x="{vx:.1}" y="{t}" font-size="12" fill="{INK}">{val}</text>"#,
            lx = x + label_w - 6.0,
            t = ty + 11.0,
            l = esc(l),
            bx = x + label_w,
            vx = x + label_w + bw + 4.0,
            val = figure(*v),
        );
    }
    (s, 28.0 + items.len() as f64 * row)
}

/// Columns at (x, y), one per item, `w` × `h`.
fn columns(x: f64, y: f64, w: f64, h: f64, title: &str, items: &[(String, Option<u64>)]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<text x="{x}" y="{}" font-size="15" font-weight="700" fill="{INK}">{}</text>"#,
        y + 14.0,
        esc(title)
    );
    let top = y + 30.0;
    let plot = h - 60.0;
    let max = items.iter().filter_map(|i| i.1).max().unwrap_or(1).max(1) as f64;
    let step = w / items.len().max(1) as f64;
    let every = (items.len() / 12).max(1);
    for (i, (l, v)) in items.iter().enumerate() {
        let bh = v.map_or(0.0, |n| plot * n as f64 / max);
        let bx = x + i as f64 * step + step * 0.15;
        let _ = write!(
            s,
            r#"<rect x="{bx:.1}" y="{by:.1}" width="{bw:.1}" height="{bh:.1}" fill="{BAR}"><title>{l}: {val}</title></rect>"#,
            by = top + plot - bh,
            bw = step * 0.7,
            l = esc(l),
            val = figure(*v),
        );
        if v.is_none() {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{ty:.1}" font-size="11" text-anchor="middle" fill="{MUTED}">—</text>"#,
                cx = bx + step * 0.35,
                ty = top + plot - 3.0
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{ty:.1}" font-size="11" text-anchor="middle" fill="{MUTED}">{l}</text>"#,
                cx = bx + step * 0.35,
                ty = top + plot + 16.0,
                l = esc(l)
            );
        }
    }
    let _ = write!(s, r#"<text x="{x}" y="{}" font-size="11" fill="{MUTED}">{}</text>"#, top + 8.0, max as u64);
    s
}

fn totals_by_row(lang: Lang, t: Option<&PublishedTable>) -> Vec<(String, Option<u64>)> {
    t.map(|t| t.row_totals().into_iter().map(|(l, v)| (label(lang, &t.row_dim, &l), v)).collect()).unwrap_or_default()
}

fn totals_by_col(lang: Lang, t: Option<&PublishedTable>) -> Vec<(String, Option<u64>)> {
    t.map(|t| t.col_totals().into_iter().map(|(l, v)| (label(lang, &t.col_dim, &l), v)).collect()).unwrap_or_default()
}

fn row_total(t: Option<&PublishedTable>, row: &str) -> Option<u64> {
    let t = t?;
    t.row_total(t.rows.iter().position(|r| r == row)?)
}

fn col_total(t: Option<&PublishedTable>, col: &str) -> Option<u64> {
    let t = t?;
    t.col_total(t.cols.iter().position(|c| c == col)?)
}

fn period_text(lang: Lang, meta: &ReportMeta<'_>) -> String {
    match (meta.from.is_empty(), meta.to.is_empty()) {
        (true, true) => tr(lang, "report.all_time").to_string(),
        _ => format!("{} – {}", meta.from, meta.to),
    }
}

/// The infographic as one SVG document.
pub fn svg(release: &Release, meta: &ReportMeta<'_>, lang: Lang) -> String {
    let table = |name: &str| release.table(name);
    let by_post = table("crossings_post_period");
    let by_dir = table("crossings_post_direction");
    let kpis = [
        (tr(lang, "report.crossings"), by_post.and_then(PublishedTable::total)),
        (tr(lang, "report.entries"), col_total(by_dir, "entry")),
        (tr(lang, "report.exits"), col_total(by_dir, "exit")),
        (tr(lang, "report.hits_confirmed"), row_total(table("hits_verdict_period"), "confirmed")),
        (tr(lang, "report.referrals_protection"), row_total(table("referrals_unit_period"), "protection")),
        (tr(lang, "report.victims"), table("victims_exploitation_period").and_then(PublishedTable::total)),
    ];
    let mut body = String::new();
    // Header.
    let _ = write!(
        body,
        r##"<rect x="0" y="0" width="{W}" height="96" fill="{INK}"/><text x="28" y="42" font-size="24" font-weight="700" fill="#ffffff">{title}</text><text x="28" y="74" font-size="15" fill="#d7e3ea">{country} {c} · {period} {p}</text>"##,
        title = esc(tr(lang, "report.title")),
        country = esc(tr(lang, "report.country")),
        c = esc(meta.country),
        period = esc(tr(lang, "report.period")),
        p = esc(&period_text(lang, meta)),
    );
    // Key figures.
    let tile = (W - 56.0) / kpis.len() as f64;
    for (i, (name, v)) in kpis.iter().enumerate() {
        let x = 28.0 + i as f64 * tile;
        let _ = write!(
            body,
            r##"<rect x="{x}" y="112" width="{tw}" height="84" rx="6" fill="#eef3f6"/><text x="{cx}" y="154" font-size="26" font-weight="700" text-anchor="middle" fill="{BAR}" class="kpi">{val}</text><text x="{cx}" y="180" font-size="12" text-anchor="middle" fill="{MUTED}">{name}</text>"##,
            tw = tile - 10.0,
            cx = x + (tile - 10.0) / 2.0,
            val = figure(*v),
            name = esc(name),
        );
    }
    let mut y = 216.0;
    let by_period_title =
        if release.period == centinela_stats::Period::Week { "report.by_week" } else { "report.by_month" };
    body.push_str(&columns(28.0, y, W - 56.0, 200.0, tr(lang, by_period_title), &totals_by_col(lang, by_post)));
    y += 214.0;
    let half = (W - 56.0 - 24.0) / 2.0;
    let pairs = [
        (
            (tr(lang, "report.by_nationality"), totals_by_row(lang, table("crossings_nationality_period"))),
            (tr(lang, "report.by_age"), totals_by_row(lang, table("crossings_age_sex"))),
        ),
        (
            (tr(lang, "report.by_post"), totals_by_row(lang, by_post)),
            (tr(lang, "report.by_sex"), totals_by_col(lang, table("crossings_age_sex"))),
        ),
        (
            (tr(lang, "report.hits"), totals_by_row(lang, table("hits_verdict_period"))),
            (tr(lang, "report.referrals"), totals_by_row(lang, table("referrals_unit_period"))),
        ),
        (
            (tr(lang, "report.victims_by_exploitation"), totals_by_row(lang, table("victims_exploitation_period"))),
            (tr(lang, "report.outcomes"), totals_by_row(lang, table("outcomes_outcome_period"))),
        ),
    ];
    for ((lt, li), (rt, ri)) in pairs {
        let (a, ha) = hbars(28.0, y, half, lt, &li);
        let (b, hb) = hbars(28.0 + half + 24.0, y, half, rt, &ri);
        body.push_str(&a);
        body.push_str(&b);
        y += ha.max(hb) + 18.0;
    }
    // Method note.
    let mut notes = vec![
        tr(lang, "report.method").replace("{k}", &release.k.to_string()),
        tr(lang, "report.suppressed").to_string(),
    ];
    if let Some(n) = release.noise {
        notes.push(tr(lang, "report.noise").replace("{e}", &n.epsilon.to_string()));
    }
    for n in &notes {
        let _ = write!(body, r#"<text x="28" y="{}" font-size="11" fill="{MUTED}">{}</text>"#, y + 12.0, esc(n));
        y += 16.0;
    }
    let h = y + 16.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="report" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{t}" font-family="Helvetica, Arial, sans-serif"><title>{t}</title><rect width="{W}" height="{h}" fill="#ffffff"/>{body}</svg>"##,
        t = esc(tr(lang, "report.title"))
    )
}

/// A published table as HTML, "—" for a suppressed cell.
fn table_html(lang: Lang, t: &PublishedTable) -> String {
    let mut s = String::new();
    let title = tr_or(lang, &format!("report.table.{}", t.name), &t.name).to_string();
    let _ = write!(s, r#"<table class="data"><caption>{}</caption><thead><tr><th scope="col"></th>"#, esc(&title));
    for c in &t.cols {
        let _ = write!(s, r#"<th scope="col" class="num">{}</th>"#, esc(&label(lang, &t.col_dim, c)));
    }
    let _ = write!(s, r#"<th scope="col" class="num">{}</th></tr></thead><tbody>"#, esc(tr(lang, "report.total")));
    for r in 0..=t.rows.len() {
        let name = t.rows.get(r).map_or_else(|| tr(lang, "report.total").to_string(), |l| label(lang, &t.row_dim, l));
        let _ = write!(s, r#"<tr><th scope="row">{}</th>"#, esc(&name));
        for c in 0..=t.cols.len() {
            let _ = write!(s, r#"<td class="num">{}</td>"#, figure(t.get(r, c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// The stylesheet of the printable page.
pub const CSS: &str = include_str!("../../web/static/informe.css");

/// The printable page on its own: the infographic and every published
/// table. With `inline_css` (a file written by the export) the style is in
/// the page; otherwise it links `/static/informe.css`.
pub fn html(release: &Release, meta: &ReportMeta<'_>, lang: Lang, inline_css: bool) -> String {
    let style = if inline_css {
        format!("<style>{CSS}</style>")
    } else {
        r#"<link rel="stylesheet" href="/static/informe.css">"#.to_string()
    };
    format!(
        r#"<!doctype html><html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · {country}</title>{style}</head><body><main class="report-page">{body}</main></body></html>"#,
        code = lang.code(),
        title = esc(tr(lang, "report.title")),
        country = esc(meta.country),
        body = body(release, meta, lang),
    )
}

/// The report's content: the infographic, every published table, the
/// source (the web page puts it inside the interface's layout).
pub fn body(release: &Release, meta: &ReportMeta<'_>, lang: Lang) -> String {
    let mut tables = String::new();
    for t in &release.tables {
        tables.push_str(&table_html(lang, t));
    }
    format!(
        r#"{svg}<h2>{tables_title}</h2>{tables}<p class="note">{source}</p>"#,
        svg = svg(release, meta, lang),
        tables_title = esc(tr(lang, "report.tables")),
        source = esc(tr(lang, "report.source")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use centinela_stats::{FactSet, Options, publish};

    #[test]
    fn the_report_draws_published_figures_and_never_a_suppressed_one() {
        let rows = vec![
            (vec!["P1".into(), "2026-01-10".into(), "entry".into(), "GTM".into()], 120),
            (vec!["P1".into(), "2026-01-11".into(), "exit".into(), "HND".into()], 40),
            (vec!["P2".into(), "2026-02-10".into(), "entry".into(), "GTM".into()], 7),
        ];
        let f = FactSet {
            measure: "crossings".into(),
            dims: vec!["post".into(), "day".into(), "direction".into(), "nationality".into()],
            rows,
            domains: vec![],
        };
        let r = publish(&[f], &Options::default()).unwrap();
        let meta = ReportMeta { country: "GTM", from: "2026-01-01", to: "2026-02-28" };
        for lang in Lang::ALL {
            let s = svg(&r, &meta, lang);
            assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
            assert!(s.contains(">167<"), "the grand total is published");
            assert!(!s.contains(">7<"), "a count below k is never drawn");
            let page = html(&r, &meta, lang, true);
            assert!(page.contains("<style>") && page.contains(&format!("lang=\"{}\"", lang.code())));
            assert!(!page.contains(">7<"));
        }
        assert!(svg(&r, &meta, Lang::Es).contains("Informe"));
        assert!(svg(&r, &meta, Lang::En).contains("report"));
    }
}
