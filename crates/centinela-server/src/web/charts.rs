//! Charts drawn on the server as SVG: horizontal bars and day columns.
//! Each chart is an image with a title for assistive technology; the page
//! also gives the figures as a table.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Horizontal bars, one per (label, value), value written at the bar's end.
pub fn hbars(title: &str, items: &[(String, i64)], class: &str) -> String {
    let row = 26;
    let label_w = 190;
    let width = 640;
    let height = (items.len().max(1) * row + 10) as i64;
    let max = items.iter().map(|x| x.1).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart {class}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = i * row + 4;
        let w = ((width - label_w - 70) as f64 * (*v as f64) / max).round().max(if *v > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="lbl">{l}</text><rect x="{label_w}" y="{y}" width="{w}" height="{h}" class="bar"/><text x="{vx}" y="{ty}" class="val">{v}</text>"#,
            lx = label_w - 8,
            ty = y + 15,
            l = esc(label),
            h = row - 8,
            vx = label_w as f64 + w + 6.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// Columns per day, two stacked series (the second may be all zero), with
/// the first and last day written under the axis.
pub fn columns(title: &str, days: &[(String, i64, i64)], series: [&str; 2]) -> String {
    let width = 640.0;
    let height = 220.0;
    let top = 20.0;
    let bottom = 30.0;
    let left = 40.0;
    let plot_h = height - top - bottom;
    let n = days.len().max(1) as f64;
    let step = (width - left - 10.0) / n;
    let bar = (step * 0.8).max(1.0);
    let max = days.iter().map(|d| d.1 + d.2).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart columns" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{y0}" x2="{x2}" y2="{y0}" class="axis"/><text x="{tx}" y="{ty}" text-anchor="end" class="lbl">{max}</text><text x="{tx}" y="{y0}" text-anchor="end" class="lbl">0</text>"#,
        y0 = top + plot_h,
        x2 = width - 5.0,
        tx = left - 4.0,
        ty = top + 10.0,
        max = max as i64,
    );
    for (i, (day, a, b)) in days.iter().enumerate() {
        let x = left + i as f64 * step + (step - bar) / 2.0;
        let ha = plot_h * (*a as f64) / max;
        let hb = plot_h * (*b as f64) / max;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{ya:.1}" width="{bar:.1}" height="{ha:.1}" class="s1"><title>{d}: {a}</title></rect>"#,
            ya = top + plot_h - ha,
            d = esc(&super::dmy(day)),
        );
        if *b > 0 {
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{yb:.1}" width="{bar:.1}" height="{hb:.1}" class="s2"><title>{d}: {b}</title></rect>"#,
                yb = top + plot_h - ha - hb,
                d = esc(&super::dmy(day)),
            );
        }
    }
    if let (Some(f), Some(l)) = (days.first(), days.last()) {
        let _ = write!(
            s,
            r#"<text x="{left}" y="{y}" class="lbl">{f}</text><text x="{r}" y="{y}" text-anchor="end" class="lbl">{l}</text>"#,
            y = height - 8.0,
            r = width - 5.0,
            f = esc(&super::dmy(&f.0)),
            l = esc(&super::dmy(&l.0)),
        );
    }
    if !series[1].is_empty() {
        let _ = write!(
            s,
            r#"<rect x="{x}" y="2" width="10" height="10" class="s1"/><text x="{x1}" y="11" class="lbl">{a}</text><rect x="{x2}" y="2" width="10" height="10" class="s2"/><text x="{x3}" y="11" class="lbl">{b}</text>"#,
            x = left + 10.0,
            x1 = left + 24.0,
            x2 = left + 130.0,
            x3 = left + 144.0,
            a = esc(series[0]),
            b = esc(series[1]),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn charts_escape_labels_and_scale_to_the_largest() {
        let svg = super::hbars("A <b>", &[("X&Y".into(), 10), ("Z".into(), 5)], "c");
        assert!(svg.contains("A &lt;b&gt;") && svg.contains("X&amp;Y"));
        assert!(svg.contains(r#"width="380""#) && svg.contains(r#"width="190""#), "{svg}");
        let svg = super::columns("t", &[("2026-01-01".into(), 3, 1), ("2026-01-02".into(), 0, 0)], ["a", "b"]);
        assert_eq!(svg.matches("<rect").count(), 2 + 1 + 2);
        assert!(svg.contains("02/01/2026") && !svg.contains("2026-01-02"), "days as DD/MM/AAAA");
    }
}
