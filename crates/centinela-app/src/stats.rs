//! Statistics: the dashboard's figures (counts only, audited) and the
//! k-anonymous regional release (the tables of `centinela stats export`,
//! the regional report), computed one at a time off the request threads.
//! Users bound to a post see their post's figures only, and no victim
//! counts (those come from the country's cases, unsuppressed day by day:
//! the regional release has them, k-anonymous).

use centinela_stats::{DEFAULT_K, Options, Period, Release};
use centinela_store::{Stats, StatsFilter};
use jiff::civil::Date;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// A day given as `YYYY-MM-DD`; empty or absent is `None`.
pub fn parse_day(field: &str, s: Option<&str>) -> Result<Option<Date>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            s.parse::<Date>().map(Some).map_err(|_| AppError::Invalid(format!("{field}: not a date (YYYY-MM-DD)")))
        }
    }
}

/// A regional release's options as a user asks for them: days
/// `YYYY-MM-DD` (inclusive), the smallest count published (default
/// [`centinela_stats::DEFAULT_K`]) and `month` (default) or `week`.
pub fn release_options(
    from: Option<&str>,
    to: Option<&str>,
    k: Option<u64>,
    period: Option<&str>,
) -> Result<Options, AppError> {
    let (from, to) = (parse_day("from", from)?, parse_day("to", to)?);
    let period = Period::parse(period.map(str::trim).filter(|p| !p.is_empty()).unwrap_or("month"))
        .map_err(|e| AppError::Invalid(format!("period: {e}")))?;
    Ok(Options { k: k.unwrap_or(DEFAULT_K), period, noise: None, from, to, ..Options::default() })
}

/// A window of days as stored text: (first day, last day, the exclusive
/// bound every time of the last day sorts before: `<day>T99`); empty where
/// the window is open.
struct Window {
    from: String,
    to: String,
    to_excl: String,
}

fn window(from: Option<Date>, to: Option<Date>) -> Result<Window, AppError> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::Invalid("from: after to".into()));
    }
    let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let to_excl = to.map(|d| format!("{d}T99")).unwrap_or_default();
    Ok(Window { from: day(from), to: day(to), to_excl })
}

/// The dashboard's figures and what they cover.
pub struct Figures {
    pub stats: Stats,
    /// The days asked (empty: from the first or to the last with data).
    pub from: String,
    pub to: String,
    /// The post (empty: every post).
    pub post: String,
}

/// A regional release and what it covers.
pub struct Regional {
    pub release: Release,
    /// The country of the posts (empty before any post).
    pub country: String,
    pub from: String,
    pub to: String,
}

impl App {
    /// The dashboard's figures between two days (inclusive) at one post or
    /// every post; a post-bound user's own post always. Audited.
    pub async fn figures(
        &self,
        user: &User,
        from: Option<Date>,
        to: Option<Date>,
        post: Option<&str>,
    ) -> Result<Figures, AppError> {
        let w = window(from, to)?;
        let post = user.post.clone().or(post.filter(|p| !p.is_empty()).map(str::to_string)).unwrap_or_default();
        let mut stats = self.analytics().stats(&StatsFilter { from: &w.from, to: &w.to_excl, post: &post }).await?;
        if user.post.is_some() {
            stats.cases = Default::default();
            stats.victims_by_exploitation.clear();
        }
        self.audit(Caller::User(user), "stats_viewed", "stats", json!({ "from": w.from, "to": w.to, "post": post }))
            .await?;
        Ok(Figures { stats, from: w.from, to: w.to, post })
    }

    /// The k-anonymous regional release over `opts` (its window, k, period
    /// and noise), on the heavy-work pool (`Busy` when it is full), audited
    /// as `action` with the window, k and period plus `detail`.
    pub async fn regional_release(
        &self,
        caller: Caller<'_>,
        opts: Options,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<Regional, AppError> {
        if opts.k == 0 {
            return Err(AppError::Invalid("k: must be at least 1".into()));
        }
        let w = window(opts.from, opts.to)?;
        let facts = self.analytics().stat_facts(&StatsFilter { from: &w.from, to: &w.to_excl, post: "" }).await?;
        let (k, period) = (opts.k, opts.period);
        let release = self
            .heavy(move || centinela_stats::publish(&facts, &opts))
            .await?
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut d = json!({ "from": w.from, "to": w.to, "k": k, "period": period.as_str() });
        if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), detail) {
            d.extend(extra);
        }
        self.audit(caller, action, "stats", d).await?;
        let country = self.analytics().posts().await?.first().map(|p| p.country.clone()).unwrap_or_default();
        Ok(Regional { release, country, from: w.from, to: w.to })
    }
}

/// `figure,key,value` lines of every figure (for `directions_by_day` the
/// key is `day/entry` or `day/exit`), written by the one CSV writer (CRLF,
/// keys defused for spreadsheets; a byte-order mark first when `bom`).
pub fn stats_csv(s: &Stats, bom: bool) -> String {
    let mut out = centinela_domain::csv::Table::with_bom(&["figure", "key", "value"], bom);
    let mut line = |fig: &str, key: &str, v: i64| out.row(&[fig, key, &v.to_string()]);
    for (k, v) in &s.crossings_by_post {
        line("crossings_by_post", k, *v);
    }
    for (k, v) in &s.crossings_by_day {
        line("crossings_by_day", k, *v);
    }
    for (d, a, b) in &s.directions_by_day {
        line("directions_by_day", &format!("{d}/entry"), *a);
        line("directions_by_day", &format!("{d}/exit"), *b);
    }
    for (k, v) in [
        ("raised", s.hits.raised),
        ("confirmed", s.hits.confirmed),
        ("dismissed", s.hits.dismissed),
        ("open", s.hits.open),
    ] {
        line("hits", k, v);
    }
    for (k, v) in &s.hits_by_day {
        line("hits_by_day", k, *v);
    }
    for (k, v) in &s.referrals {
        line("referrals", k, *v);
    }
    for (k, v) in &s.decisions {
        line("decisions", k, *v);
    }
    for (k, v) in [
        ("identified", s.cases.identified),
        ("assisted", s.cases.assisted),
        ("prosecuted", s.cases.prosecuted),
        ("repatriated", s.cases.repatriated),
    ] {
        line("victims", k, v);
    }
    for (k, v) in &s.victims_by_exploitation {
        line("victims_by_exploitation", k, *v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post code once carried `=HYPERLINK(…)` from an import into this
    /// CSV; whatever a key holds, a spreadsheet never evaluates it, and
    /// numbers stay numbers.
    #[test]
    fn keys_are_never_spreadsheet_formulas() {
        let s = Stats {
            crossings_by_post: vec![("=HYPERLINK(\"http://x\",\"y\")".into(), 3), ("GTM-TECUNUMAN".into(), -1)],
            ..Stats::default()
        };
        let csv = stats_csv(&s, false);
        assert!(csv.contains("crossings_by_post,\"'=HYPERLINK("), "{csv}");
        assert!(csv.contains("crossings_by_post,GTM-TECUNUMAN,-1\r\n"), "{csv}");
        assert!(csv.starts_with("figure,key,value\r\n"), "{csv}");
        assert!(csv.lines().all(|l| !l.contains('\r')) && !csv.replace("\r\n", "").contains('\n'), "{csv:?}");
        assert!(stats_csv(&s, true).starts_with("\u{feff}figure,"));
    }
}
