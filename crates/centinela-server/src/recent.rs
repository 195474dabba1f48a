//! Each session's last page answered to a form, kept a few minutes so that
//! the language switch can draw it again (`web::again`). Its own module,
//! below both the state that holds it and the pages that fill it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a posted page can be shown again.
const KEEP: Duration = Duration::from_secs(10 * 60);
/// The most sessions whose last posted page is kept (the oldest goes first):
/// a page's data is what its template drew (a back-test or an import
/// report can be hundreds of kilobytes), so the memory this holds is
/// bounded by the count; a centre with more sessions posting forms within
/// [`KEEP`] loses the oldest page's language switch, nothing else.
const MAX_SESSIONS: usize = 500;

struct Kept {
    token: String,
    template: String,
    data: Value,
    at: Instant,
}

/// The last posted page of each session.
#[derive(Default)]
pub(crate) struct RecentPages {
    by_session: Mutex<HashMap<i64, Kept>>,
}

impl RecentPages {
    /// Keeps `session`'s posted page; the token to show it again.
    pub(crate) fn keep(&self, session: i64, template: &str, data: &Value) -> Option<String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).ok()?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut kept = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, k| k.at.elapsed() < KEEP);
        if kept.len() >= MAX_SESSIONS
            && !kept.contains_key(&session)
            && let Some(oldest) = kept.iter().min_by_key(|(_, k)| k.at).map(|(s, _)| *s)
        {
            kept.remove(&oldest);
        }
        let page = Kept { token: token.clone(), template: template.to_owned(), data: data.clone(), at: Instant::now() };
        kept.insert(session, page);
        Some(token)
    }

    /// `session`'s kept page when `token` names it and it is recent.
    pub(crate) fn find(&self, session: i64, token: &str) -> Option<(String, Value)> {
        let kept = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&session)
            .filter(|k| k.token == token && k.at.elapsed() < KEEP)
            .map(|k| (k.template.clone(), k.data.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_session_that_saw_a_page_sees_it_again_and_the_oldest_goes_first() {
        let pages = RecentPages::default();
        let data = serde_json::json!({ "crossing": "C1" });
        let token = pages.keep(1, "inspection.html", &data).unwrap();
        assert_eq!(pages.find(1, &token), Some(("inspection.html".to_owned(), data.clone())));
        assert_eq!(pages.find(2, &token), None, "another session");
        assert_eq!(pages.find(1, "0123456789abcdef0123456789abcdef"), None, "another token");
        let newer = pages.keep(1, "inspection.html", &data).unwrap();
        assert_eq!(pages.find(1, &token), None, "only the last page is kept");
        assert!(pages.find(1, &newer).is_some());
        for s in 2..=MAX_SESSIONS as i64 + 1 {
            pages.keep(s, "t.html", &data).unwrap();
        }
        assert_eq!(pages.find(1, &newer), None, "the oldest session's page went first");
        assert_eq!(pages.by_session.lock().unwrap().len(), MAX_SESSIONS);
    }
}
