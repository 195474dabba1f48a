//! No untranslated code reaches a page (issue 17, "local language"): every
//! page each role can reach from its navigation — links followed, demo data
//! with hits, a referral and a case — is read as text and refused when it
//! shows a raw code (`document_expired`, an enum name, a list slug) or a
//! known English word on a Spanish page, or a known Spanish word on an
//! English one.

use std::collections::{BTreeSet, HashSet, VecDeque};

use centinela_domain::Role;

use crate::helpers::{PASSWORD, WebApp, listed_mrz, passport_mrz, sign_in, spawn_country, stolen_document, username};

/// Pages read per role at most (the crawl follows links).
const MAX_PAGES: usize = 60;

/// English words that have no place on a Spanish page (whole words, case
/// sensitive where a Spanish word shares the letters).
const ENGLISH: &[&str] = &[
    "the",
    "The",
    "and",
    "of",
    "with",
    "Name",
    "name",
    "Date",
    "date",
    "birth",
    "Open",
    "open",
    "Closed",
    "closed",
    "Stolen",
    "stolen",
    "Lost",
    "lost",
    "Revoked",
    "revoked",
    "Expired",
    "expired",
    "wanted",
    "Wanted",
    "match",
    "Match",
    "matches",
    "sanctions",
    "Sanctions",
    "entry",
    "Entry",
    "exit",
    "Exit",
    "officer",
    "supervisor",
    "analyst",
    "auditor",
    "admin",
    "protection",
    "pending",
    "Pending",
    "confirmed",
    "dismissed",
    "accepted",
    "declined",
    "true",
    "false",
    "null",
    "None",
    "Some",
    "viewed",
    "created",
    "updated",
    "denied",
    "failed",
    "login",
    "logout",
    "land",
    "air",
    "unknown",
    "Unknown",
    "male",
    "female",
    "minor",
    "adult",
    "document",
    "Document",
    "shared",
    "phone",
    "address",
    "vehicle",
    "companion",
    "ring",
    "Ring",
    "facilitator",
    "travelled",
    "together",
    "same",
    "times",
    "persons",
    "crossings",
    "per",
    "from",
    "to",
    "at",
    "in",
    "on",
    "by",
    "is",
    "are",
    "not",
    "yes",
    "Yes",
    "referrals",
    "referral",
    "version",
    "rule",
    "Rule",
    "expression",
    "expected",
    "unexpected",
    "line",
    "column",
    "identical",
    "exact",
    "surname",
    "given",
    "nationality",
    "swapped",
    "initial",
    "phonetic",
    "transliteration",
];

/// Spanish words that have no place on an English page.
const SPANISH: &[&str] = &[
    "Entrada",
    "Salida",
    "Abierta",
    "Confirmada",
    "Descartada",
    "Pendiente",
    "Admitir",
    "Rechazar",
    "Motivo",
    "Apellidos",
    "Nombres",
    "Nacimiento",
    "Fecha",
    "Usuario",
    "Buscar",
    "Guardar",
    "Derivaciones",
    "Derivar",
    "Cruces",
    "Viajero",
    "viajeros",
    "Puesto",
    "Acción",
    "Sujeto",
    "Detalle",
    "Alertas",
    "Listas",
    "Reglas",
    "Redes",
    "Estadísticas",
    "Usuarios",
    "Puestos",
    "Auditoría",
    "Inspección",
    "desconocido",
    "robado",
    "perdido",
    "buscado",
    "sanciones",
    "menor",
    "adulto",
    "también",
    "veces",
    "mismo",
    "misma",
];

/// Spanish words the interface does not use: one word for a referral
/// (*derivación*).
const NOT_OURS: &[&str] = &["remisión", "Remisión", "remisiones", "Remisiones"];

/// An ISO instant (`2026-12-05T23:20:54Z`) or date (`2026-12-05`): pages
/// write DD/MM/AAAA HH:MM in the viewer's zone.
fn iso(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Words a page may show whatever its language: proper names, codes the
/// region reads as they are (ISO country codes, MRZ), units.
fn allowed_token(t: &str) -> bool {
    t.len() <= 1 || t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'<')
}

/// The visible text of a page: scripts, styles and tags removed, a few
/// entities decoded, plus the values of `title`, `placeholder` and
/// `aria-label` (read aloud or shown on hover).
fn visible_text(html: &str) -> String {
    let mut s = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        s.push_str(&rest[..at]);
        rest = &rest[at..];
        // Scripts, styles, and what a user typed or will edit (a rule's
        // text in the editor) are not the page's words.
        // An identifier shown as one (`<code class="id">`: a list's name
        // beside its title, the rule language's keywords) is not a word.
        for skip in ["<script", "<style", "<textarea", "<template", "<code class=\"id\""] {
            if rest.starts_with(skip) {
                let end = format!("</{}>", skip[1..].split(' ').next().unwrap_or(""));
                rest = rest.find(&end).map_or("", |e| &rest[e + end.len()..]);
                s.push(' ');
            }
        }
        if !rest.starts_with('<') {
            continue;
        }
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        for attr in ["title=\"", "placeholder=\"", "aria-label=\""] {
            if let Some(a) = tag.find(attr) {
                let v = &tag[a + attr.len()..];
                s.push(' ');
                s.push_str(v.split('"').next().unwrap_or(""));
                s.push(' ');
            }
        }
        s.push(' ');
        rest = &rest[close + 1..];
    }
    s.push_str(rest);
    s.replace("&#x2f;", "/").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&").replace("&nbsp;", " ")
}

/// What is wrong with a page's text in `lang`: raw codes and words of the
/// other language. `names` are values of the data (people, users, lists as
/// named by their owners) that may contain anything.
fn findings(text: &str, lang: &str, skip: &HashSet<String>) -> BTreeSet<String> {
    let words = if lang == "es" { ENGLISH } else { SPANISH };
    let mut found = BTreeSet::new();
    for plural in ["(s)", "(es)", "(as)"] {
        if text.contains(plural) {
            found.insert(plural.to_string());
        }
    }
    for raw in text.split_whitespace() {
        let t = raw.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if iso(t) {
            found.insert(t.to_string());
        }
    }
    for raw in text.split(|c: char| c.is_whitespace() || ",;:()[]{}«»\"'!?¿¡·|/—=".contains(c)) {
        let t = raw.trim_matches(|c: char| c == '.' || c == '…' || c == '%' || c == '*');
        if iso(t) {
            continue;
        }
        if t.is_empty() || skip.contains(t) || allowed_token(t) {
            continue;
        }
        if lang == "es" && NOT_OURS.contains(&t) {
            found.insert(t.to_string());
        }
        let snake = t.contains('_') && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let uuid = t.len() == 36 && t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        // English writes compound words with hyphens; a list slug is caught
        // on the Spanish pages.
        let slug = lang == "es"
            && !uuid
            && !["alfa-3"].contains(&t)
            && t.contains('-')
            && t.split('-').count() >= 2
            && t.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if snake || slug || words.contains(&t) {
            found.insert(t.to_string());
        }
    }
    found
}

fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#x2f;", "/"))
        .filter(|h| h.starts_with('/') && !h.starts_with("/static/") && !h.starts_with("/api/") && !h.contains("lang="))
        .filter(|h| !h.starts_with("/salir") && !h.contains("export") && !h.contains("csv"))
        .collect()
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with its token") + 20;
    html[at..].split('"').next().unwrap().to_owned()
}

async fn post_form(c: &reqwest::Client, app: &WebApp, path: &str, body: &[(&str, &str)]) -> String {
    let r = c
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(body).unwrap())
        .send()
        .await
        .unwrap();
    r.text().await.unwrap()
}

/// Demo data every queue shows: a hit on the wanted list, a stolen
/// document, an expired passport, a referral to protection (answered into a
/// case), a rule check that fails.
async fn seed(app: &WebApp) {
    let officer = sign_in(app, &username(Role::Officer), PASSWORD).await;
    let form = officer.get(app.url("/inspeccion")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&form);
    let (listed, _) = listed_mrz(&app.country);
    let (number, state) = stolen_document(&app.country);
    let stolen = passport_mrz("QUIROGA", "ANA", &state, (1990, 1, 2), "F", &number, (2031, 1, 1));
    let expired = passport_mrz("LOPEZ", "MARIA", "GTM", (2015, 3, 4), "F", "E1234567", (2020, 1, 1));
    for mrz in [listed, stolen, expired] {
        let joined = mrz.join("\n");
        let html = post_form(
            &officer,
            app,
            "/inspeccion",
            &[("_csrf", &csrf), ("post", &app.post), ("direction", "entry"), ("t0.mrz", &joined)],
        )
        .await;
        let crossing = html.split("data-crossing=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        let decided = post_form(
            &officer,
            app,
            "/inspeccion/decision",
            &[
                ("_csrf", &csrf),
                ("crossing", &crossing),
                ("decision", "refer_to_protection"),
                ("reason", "posible víctima"),
                ("post", &app.post),
                ("direction", "entry"),
            ],
        )
        .await;
        assert!(decided.contains("data-testid=\"decision\""), "the referral is recorded: {decided}");
    }
    // Protection takes the first referral into a case.
    let protection = sign_in(app, &username(Role::Protection), PASSWORD).await;
    let html = protection.get(app.url("/derivaciones")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let action = html.split("action=\"/derivaciones/").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    post_form(&protection, app, &format!("/derivaciones/{action}"), &[("_csrf", &csrf), ("answer", "accept")]).await;
}

/// Walks every page `role` reaches in `lang` and returns the findings per
/// page.
async fn walk(app: &WebApp, role: Role, lang: &str, skip: &HashSet<String>) -> Vec<(String, BTreeSet<String>)> {
    let c = sign_in(app, &username(role), PASSWORD).await;
    c.get(app.url(&format!("/?lang={lang}"))).send().await.unwrap();
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([
        "/".to_string(),
        "/no-existe".to_string(),
        "/auditoria/verificar".to_string(),
        "/contrasena".to_string(),
    ]);
    let mut out = Vec::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= MAX_PAGES || !seen.insert(path.clone()) {
            continue;
        }
        let r = c.get(app.url(&path)).send().await.unwrap();
        if r.status().is_redirection() {
            continue;
        }
        let status = r.status();
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{role:?} {path} is not in {lang}");
        if path == "/no-existe" {
            // A page that does not exist keeps the signed-in frame.
            assert_eq!(status, 404);
            assert!(html.contains("data-testid=\"who\"") && html.contains("id=\"signout\""), "{role:?}: {html}");
        }
        let f = findings(&visible_text(&html), lang, skip);
        if !f.is_empty() {
            out.push((path.clone(), f));
        }
        for h in hrefs(&html) {
            if !seen.contains(&h) {
                queue.push_back(h);
            }
        }
    }
    out
}

/// Values of the data that may be anything: names of people and lists,
/// usernames, post codes and names, document numbers.
fn data_values(app: &WebApp) -> HashSet<String> {
    let mut skip = HashSet::new();
    let mut add = |s: &str| {
        for w in s.split(|c: char| c.is_whitespace() || ",;:()/".contains(c)) {
            if !w.is_empty() {
                skip.insert(w.to_string());
            }
        }
    };
    for role in Role::ALL {
        add(&username(role));
    }
    for p in &app.country.posts {
        add(&p.code);
        add(&p.name);
    }
    for l in &app.country.lists {
        add(&l.source);
        for e in &l.entries {
            add(&e.surnames);
            add(&e.given_names);
            for a in &e.aliases {
                add(a);
            }
        }
    }
    for x in &app.country.crossings {
        add(&x.surnames);
        add(&x.given_names);
    }
    skip
}

#[tokio::test]
async fn no_untranslated_code_reaches_a_page() {
    let app = spawn_country().await;
    seed(&app).await;
    let skip = data_values(&app);
    let mut report = Vec::new();
    for lang in ["es", "en"] {
        for role in Role::ALL {
            for (path, f) in walk(&app, role, lang, &skip).await {
                report.push(format!("{lang} {role:?} {path}: {}", f.into_iter().collect::<Vec<_>>().join(" ")));
            }
        }
    }
    assert!(report.is_empty(), "untranslated text on {} pages:\n{}", report.len(), report.join("\n"));
}

#[test]
fn the_checker_sees_codes_and_foreign_words() {
    let skip = HashSet::from(["PEREZ".to_string()]);
    let f = findings("Documento vencido: document_expired, lista gtm-wanted, En la lista como stolen", "es", &skip);
    assert_eq!(f, BTreeSet::from(["document_expired".into(), "gtm-wanted".into(), "stolen".into()]));
    assert!(findings("Apellidos PEREZ 12/03/1985 GTM · 1.234", "es", &skip).is_empty());
    assert_eq!(findings("3 viajero(s)", "es", &skip), BTreeSet::from(["(s)".into()]));
    assert_eq!(findings("Status: Abierta", "en", &skip), BTreeSet::from(["Abierta".into()]));
    assert_eq!(findings("el 2026-12-05T23:20:54Z", "es", &skip), BTreeSet::from(["2026-12-05T23:20:54Z".into()]));
    assert_eq!(findings("remisiones a protección", "es", &skip), BTreeSet::from(["remisiones".into()]));
    assert_eq!(visible_text("<p title=\"hola\">a<script>x_y</script>b<textarea>the</textarea></p>"), " hola  a b  ");
}
