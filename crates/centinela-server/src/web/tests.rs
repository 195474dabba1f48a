//! The page table, the navigation, the catalogues and the templates.

use std::collections::BTreeSet;

use centinela_domain::Role;

use super::i18n::{self, Lang};
use super::{NAV, PAGES, TEMPLATES, may_open, nav_for};
use crate::routes::{Access, Verb, endpoint};

/// No page lets a role do what the API endpoints it works through refuse;
/// pages are outside `/api/`; no duplicates; no empty role lists.
#[test]
fn pages_allow_no_more_than_their_endpoints() {
    for (i, p) in PAGES.iter().enumerate() {
        assert!(!p.path.starts_with("/api"), "{}", p.path);
        for q in &PAGES[i + 1..] {
            assert!(!(p.verb == q.verb && p.path == q.path), "{} {} twice", p.verb.as_str(), p.path);
        }
        if let Access::Roles(r) = p.access {
            assert!(!r.is_empty(), "{} allows no role", p.path);
        }
        for (verb, path) in p.uses {
            let e = endpoint(*verb, path).unwrap_or_else(|| panic!("{}: no endpoint {} {path}", p.path, verb.as_str()));
            for role in Role::ALL {
                assert!(
                    !p.access.allows(role) || e.access.allows(role),
                    "{} {} allows {} but {} {path} does not",
                    p.verb.as_str(),
                    p.path,
                    role.as_str(),
                    verb.as_str()
                );
            }
        }
        if p.verb.is_unsafe() && p.access == Access::Public {
            assert_eq!(p.path, "/entrar", "only signing in is an unsafe public page");
        }
    }
}

/// The navigation offers only pages, and to each role only what it may
/// open; every role but protection has somewhere to go.
#[test]
fn navigation_follows_the_table() {
    for (path, key) in NAV {
        assert!(PAGES.iter().any(|p| p.verb == Verb::Get && p.path == *path), "{path}");
        for lang in Lang::ALL {
            assert!(i18n::has(lang, key), "{key}");
        }
    }
    for role in Role::ALL {
        for (path, _) in nav_for(role) {
            let page = PAGES.iter().find(|p| p.verb == Verb::Get && p.path == *path).unwrap();
            assert!(page.access.allows(role));
        }
    }
    let officer: Vec<_> = nav_for(Role::Officer).map(|x| x.0).collect();
    assert_eq!(officer, ["/inspeccion", "/alertas"]);
    let auditor: Vec<_> = nav_for(Role::Auditor).map(|x| x.0).collect();
    assert_eq!(auditor, ["/reglas", "/confianza", "/auditoria"]);
}

/// Each role lands on its own work, a page it may open.
#[test]
fn each_role_lands_on_its_work() {
    let expected = [
        (Role::Officer, "/inspeccion"),
        (Role::Supervisor, "/alertas"),
        (Role::Analyst, "/redes"),
        (Role::Protection, "/derivaciones"),
        (Role::Auditor, "/auditoria"),
        (Role::Admin, "/usuarios"),
    ];
    for (role, path) in expected {
        assert_eq!(super::landing(role), Some(path), "{role:?}");
        assert!(may_open(role, path), "{role:?} {path}");
    }
    assert_eq!(Role::ALL.len(), expected.len(), "every role has its landing page");
}

fn keys(lang: Lang) -> BTreeSet<&'static str> {
    i18n::parse(lang.source()).into_keys().collect()
}

#[test]
fn catalogues_have_the_same_keys() {
    let es = keys(Lang::Es);
    let en = keys(Lang::En);
    let only_es: Vec<_> = es.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&es).collect();
    assert!(only_es.is_empty() && only_en.is_empty(), "only es: {only_es:?}; only en: {only_en:?}");
    for lang in Lang::ALL {
        for line in lang.source().lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            assert!(line.contains(" = "), "{}: not `key = text`: {line}", lang.code());
        }
    }
}

/// The literal keys of `t("…")` / `t('…')` calls in a text.
fn literal_keys(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let pat = format!("t({quote}");
        let mut rest = src;
        while let Some(i) = rest.find(&pat) {
            let before = rest[..i].chars().last();
            rest = &rest[i + pat.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            if let Some(end) = rest.find(quote) {
                let key = &rest[..end];
                // `t("role." ~ x)`: a prefix, checked by the dynamic-key test.
                if !rest[end + 1..].trim_start().starts_with('~') {
                    out.push(key.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_key_used_exists() {
    let rust = [
        include_str!("pages.rs"),
        include_str!("import.rs"),
        include_str!("mod.rs"),
        include_str!("cases.rs"),
        include_str!("report.rs"),
    ];
    let mut used: Vec<String> = TEMPLATES.iter().flat_map(|(_, src)| literal_keys(src)).collect();
    for src in rust {
        used.extend(literal_keys(src));
        // Keys handed to the templates or to `tr` as string literals.
        for prefix in [
            "\"error.",
            "\"login.",
            "\"inspection.",
            "\"decision.",
            "\"adjudication.",
            "\"import.",
            "\"stats.",
            "\"referral.",
            "\"case.",
            "\"report.",
        ] {
            let mut rest = src;
            while let Some(i) = rest.find(prefix) {
                rest = &rest[i + 1..];
                let end = rest.find('"').unwrap();
                let key = &rest[..end];
                if !key.ends_with('.') && !key.ends_with(".html") && !key.contains('{') && !key.contains(' ') {
                    used.push(key.to_string());
                }
            }
        }
    }
    // Doc comments show the call's shape with a placeholder.
    used.retain(|k| k != "key");
    assert!(used.len() > 200, "{}", used.len());
    for lang in Lang::ALL {
        let k = keys(lang);
        let missing: BTreeSet<_> = used.iter().filter(|u| !k.contains(u.as_str())).collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
    }
    // Keys built from codes: every code the interface itself offers.
    for lang in Lang::ALL {
        let k = keys(lang);
        let mut dynamic: Vec<String> = Vec::new();
        for r in Role::ALL {
            dynamic.push(format!("role.{}", r.as_str()));
        }
        for r in ["parent", "child", "guardian", "ward", "spouse", "sibling", "relative", "none", "unknown", "lead"] {
            dynamic.push(format!("relation.{r}"));
        }
        for o in ["T3", "T5", "T6", "T7", "T8", "T9", "T10"] {
            dynamic.push(format!("indicator.{o}"));
            dynamic.push(format!("indicator.short.{o}"));
        }
        for d in ["admit", "secondary_inspection", "refer_to_protection", "refuse"] {
            dynamic.push(format!("decision.{d}"));
        }
        for d in ["admit", "secondary_inspection", "refer_to_protection"] {
            dynamic.push(format!("next.{d}"));
        }
        for kind in centinela_domain::ListKind::ALL {
            dynamic.push(format!("list_kind.{}", kind.as_str()));
            dynamic.push(format!("action.{}", kind.default_action()));
        }
        for f in ["csv", "ftm", "documents"] {
            dynamic.push(format!("format.{f}"));
        }
        for p in ["land", "air", "sea"] {
            dynamic.push(format!("post_kind.{p}"));
        }
        for ph in ["parsing", "writing", "reloading", "done", "failed"] {
            dynamic.push(format!("import.phase.{ph}"));
        }
        for (_, key) in NAV {
            dynamic.push((*key).to_string());
        }
        for s in super::cases::SECTIONS {
            dynamic.push(format!("case.section.{}", s.key));
            for (f, kind) in s.fields {
                dynamic.push(format!("htcds.{f}"));
                if let super::cases::Kind::Pick(v) | super::cases::Kind::Multi(v) = kind {
                    // Brand names are shown as they are.
                    if !std::ptr::eq(*v, centinela_domain::htcds::picklist::WEBSITES) {
                        dynamic.extend(v.iter().map(|x| format!("htcds.v.{x}")));
                    }
                }
            }
        }
        for a in ["accepted", "declined"] {
            dynamic.push(format!("referral.{a}"));
        }
        for s in ["abiertas", "confirmadas", "descartadas", "todas"] {
            dynamic.push(format!("hits.status.{s}"));
        }
        for o in ["severidad", "antiguedad", "recientes"] {
            dynamic.push(format!("hits.order.{o}"));
        }
        for kind in centinela_domain::ListKind::ALL {
            dynamic.push(format!("hits.severity.{}", kind.severity()));
        }
        dynamic.push("flag.entry_without_exit".into());
        dynamic.push("flag_kind.travel_history".into());
        let missing: Vec<_> = dynamic.iter().filter(|d| !k.contains(d.as_str())).collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
    }
}

/// What a template shows as text once tags, expressions, statements and
/// comments are taken out, and the values of attributes people read.
fn visible_text(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = src;
    while !rest.is_empty() {
        let (open, close) = if rest.starts_with("{{") {
            ("{{", "}}")
        } else if rest.starts_with("{%") {
            ("{%", "%}")
        } else if rest.starts_with("{#") {
            ("{#", "#}")
        } else if rest.starts_with('<') {
            ("<", ">")
        } else {
            let c = rest.chars().next().unwrap();
            text.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let end = rest[open.len()..].find(close).map_or(rest.len(), |e| e + open.len() + close.len());
        let inner = &rest[..end];
        if open == "<" {
            for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\"", "label=\""] {
                if let Some(i) = inner.find(attr) {
                    let v = &inner[i + attr.len()..];
                    let v = &v[..v.find('"').unwrap_or(v.len())];
                    if !v.contains("{{") {
                        out.push(v.to_string());
                    }
                }
            }
        }
        text.push(' ');
        rest = &rest[end..];
    }
    // Entities are not words.
    out.extend(text.split_whitespace().filter(|w| !(w.starts_with('&') && w.ends_with(';'))).map(str::to_string));
    out
}

#[test]
fn templates_hold_no_untranslated_text() {
    for (name, src) in TEMPLATES {
        let words: Vec<String> = visible_text(src).into_iter().filter(|w| w.chars().any(char::is_alphabetic)).collect();
        assert!(words.is_empty(), "{name}: untranslated text {words:?}");
    }
    // The check itself finds text.
    assert_eq!(visible_text("<p title=\"Hola\">Texto {{ t('x') }}</p>"), ["Hola", "Texto"]);
}

#[test]
fn templates_parse_and_render_in_both_languages() {
    let env = super::templates();
    for (name, _) in TEMPLATES {
        assert!(env.get_template(name).is_ok(), "{name}");
    }
    for lang in Lang::ALL {
        let html = env
            .get_template("login.html")
            .unwrap()
            .render(minijinja::context! { lang => lang.code(), other_lang => lang.other().code(), path => "/entrar" })
            .unwrap();
        assert!(html.contains(i18n::tr(lang, "login.submit")));
        assert!(html.contains(&format!("lang=\"{}\"", lang.code())));
    }
}

#[test]
fn dates_as_the_region_types_and_reads_them() {
    use super::booth::iso_date;
    assert_eq!(iso_date("15/08/1985"), "1985-08-15");
    assert_eq!(iso_date(" 5-8-1985 "), "1985-08-05");
    assert_eq!(iso_date("15.08.1985"), "1985-08-15");
    assert_eq!(iso_date("08/1985"), "1985-08");
    // ISO and anything else pass through, for the parser to judge.
    for s in ["1985-08-15", "1985-08", "1985", "31/02/85", "ayer"] {
        assert_eq!(iso_date(s), s);
    }
    // An impossible day stays impossible: the parser refuses it.
    assert!(centinela_domain::BirthDate::parse(&iso_date("31/02/1985")).is_err());
    assert_eq!(super::dmy("1985-08-15"), "15/08/1985");
    assert_eq!(super::dmy("1985-08"), "08/1985");
    assert_eq!(super::dmy("1985"), "1985");
}

#[test]
fn input_errors_name_the_form_field_beside_which_they_show() {
    use super::booth::field_error;
    let e = field_error;
    assert_eq!(
        e("travellers[1].birth_date: not a date"),
        Some(("t1.birth_date".into(), "field_error.birth_date".into()))
    );
    assert_eq!(e("travellers[0].mrz: line 2: 43 characters"), Some(("t0.mrz".into(), "field_error.mrz".into())));
    assert_eq!(e("travellers[0].phone: bad"), Some(("t0.phone".into(), "field_error.generic".into())));
    assert_eq!(e("post: no border post 'X'"), Some(("post".into(), "field_error.post".into())));
    assert_eq!(e("travellers: at least one traveller is needed"), None);
}

/// The relative luminance of `#rrggbb` (WCAG 2.2).
fn luminance(hex: &str) -> f64 {
    let c = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn the_focus_ring_contrasts_at_least_3_to_1() {
    let css = include_str!("../../web/static/style.css");
    let var = |name: &str| {
        let at = css.find(&format!("--{name}: ")).unwrap_or_else(|| panic!("--{name}"));
        css[at + name.len() + 4..].split([';', ' ']).next().unwrap().to_string()
    };
    let (ring, on_dark) = (var("focus"), var("focus-on-dark"));
    for bg in [var("card"), var("bg"), "#ffffff".to_string()] {
        let bg = if bg == "#fff" { "#ffffff".to_string() } else { bg };
        assert!(contrast(&ring, &bg) >= 3.0, "{ring} on {bg}: {:.2}", contrast(&ring, &bg));
    }
    let brand = var("brand");
    assert!(contrast(&on_dark, &brand) >= 3.0, "{on_dark} on {brand}");
    assert!(css.contains(":focus-visible { outline: 3px solid var(--focus)"));
    assert!(css.contains(".top :focus-visible { outline-color: var(--focus-on-dark); }"));
    // The old amber on white was 1.6:1.
    assert!(contrast("#ffbf47", "#ffffff") < 3.0);
}

/// The phrases other crates write in English come out in Spanish with their
/// values kept, the longest phrase first; unknown text and English pages
/// are left alone; every phrase makes a pattern.
#[test]
fn phrases_are_translated_with_their_values() {
    let es = |s: &str| i18n::phrase(Lang::Es, s);
    assert_eq!(es("GONSALEZ ~ GONZALEZ (sounds alike)"), "GONSALEZ ~ GONZALEZ (suena igual)");
    assert_eq!(es("GARCIA = GARCIA (exact, other field)"), "GARCIA = GARCIA (exacto, en el otro campo)");
    assert_eq!(
        es("day and month swapped (1985-08-15 vs 1985-15-08)"),
        "día y mes invertidos (1985-08-15 vs 1985-15-08)"
    );
    assert_eq!(
        es("about 3.20 entries could carry this name by chance"),
        "unas 3.20 entradas podrían llevar este nombre por azar"
    );
    assert_eq!(
        es("their companions gave the same phone +50255501234"),
        "sus acompañantes dieron el mismo dato (teléfono) +50255501234"
    );
    assert_eq!(es("first surname left out, second kept: ACOSTA"), "falta el primer apellido, está el segundo: ACOSTA");
    assert_eq!(
        es("given name and first surname carried together by 412 entries"),
        "nombre y primer apellido que llevan juntos 412 entradas"
    );
    assert_eq!(es("N1: given by 4 persons of 3 different families"), "N1: dado por 4 personas de 3 familias distintas");
    assert_eq!(es("unknown fact 'traveler.age'"), "dato desconocido «traveler.age»");
    assert_eq!(es("expected true/false, found a number"), "se esperaba verdadero/falso y se encontró un número");
    assert_eq!(
        es("ILO/EC Delphi indicators (2009); UNODC indicators for children; Frontex VEGA handbook"),
        "indicadores Delphi de la OIT/CE (2009); indicadores de la UNODC sobre niños; manual VEGA de Frontex"
    );
    assert_eq!(es("documents of two states: GTM:123 / HND:456"), "documentos de dos Estados: GTM:123 / HND:456");
    assert_eq!(
        es("given names RIGOBERTO JUAN / JUAN: a given name on one record only"),
        "nombres RIGOBERTO JUAN / JUAN: un segundo nombre en uno solo de los registros"
    );
    assert_eq!(es("a name 1500 people carry"), "un nombre que llevan 1500 personas");
    assert_eq!(es("a number out of range"), "un número fuera de rango");
    assert_eq!(es("to: out of range"), "hasta: fuera de rango");
    assert_eq!(es("PEREZ LOPEZ"), "PEREZ LOPEZ");
    assert_eq!(i18n::phrase(Lang::En, "same date"), "same date");
    let count = i18n::parse(Lang::En.source()).keys().filter(|k| k.starts_with("phrase.")).count();
    assert_eq!(i18n::phrase_count(Lang::Es), count, "a phrase does not make a pattern");
    assert_eq!(super::iso_dates_dmy("1985-08-15 vs 1985-08-16"), "15/08/1985 vs 16/08/1985");
}

#[test]
fn no_catalogue_key_is_defined_twice() {
    // Branches merge the catalogues line by line: a key added on two
    // branches would silently keep one text (the last).
    for lang in [Lang::Es, Lang::En] {
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<&str> = lang
            .source()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .filter(|k| !seen.insert(*k))
            .collect();
        assert!(twice.is_empty(), "{lang:?}: defined twice: {twice:?}");
    }
}

#[test]
fn a_failed_chip_is_shown_first_in_both_languages() {
    let env = super::templates();
    let chip = serde_json::json!({
        "outcome": "chip_data_altered", "failed": true,
        "message_es": "Datos del chip alterados: DG2 no coincide con lo firmado.",
        "message_en": "Chip data altered: DG2 differs from what was signed.",
        "verdict": {"document_signer": {"subject": "CN=DS Utopia 1,O=Utopia,C=UT"}, "signing_time": "2026-04-28T20:26:40Z"}
    });
    let traveller = serde_json::json!({
        "crossing_id": "C1", "given_names": "ANNA", "surnames": "ERIKSSON", "sex": "F", "relation": "lead",
        "document": {"document_number": "L898902C3", "issuing_state": "UTO", "document_type": "P", "source": "mrz",
                     "mrz_valid": true, "problems": [], "typed_differs": []},
        "hits": [], "flags": [{"code": "chip_failed", "kind": "document_fraud", "reason": "x", "action": "secondary_inspection"}],
        "suggested": "secondary_inspection", "hit_ids": [], "chip": chip,
    });
    for lang in Lang::ALL {
        let result = serde_json::json!({
            "suggested": "secondary_inspection", "travellers": [traveller.clone()], "party": "C1",
            "banner": {"hits": 0, "flagged": 1, "total": 1},
        });
        let html = env
            .get_template("inspection.html")
            .unwrap()
            .render(minijinja::context! { lang => lang.code(), other_lang => lang.other().code(), path => "/inspeccion",
                result => minijinja::Value::from_serialize(&result),
                booth_ctx => minijinja::Value::from_serialize(serde_json::json!({"post": "GTM-TECUNUMAN", "direction": "entry", "lane": "", "vehicle": ""})),
                relations => minijinja::Value::from_serialize(serde_json::json!([])),
                observations => minijinja::Value::from_serialize(serde_json::json!([])) })
            .unwrap();
        let chip_at = html.find("data-testid=\"chip\"").expect("the chip's block");
        let doc_at = html.find(&format!("<h4>{}</h4>", i18n::tr(lang, "document.title"))).expect("the document block");
        assert!(chip_at < doc_at, "the chip's verdict comes before the document");
        assert!(html.contains(i18n::tr(lang, "chip.failed")));
        let message = if lang == Lang::En { "Chip data altered" } else { "Datos del chip alterados" };
        assert!(html.contains(message), "{message}");
        assert!(html.contains("28&#x2f;04&#x2f;2026"), "{}", &html[chip_at..doc_at]);
    }
}

#[test]
fn the_chip_data_sits_beside_the_page_and_the_faces_side_by_side() {
    let env = super::templates();
    let chip = serde_json::json!({
        "outcome": "chip_page_mismatch", "failed": true, "message_es": "m", "message_en": "m", "verdict": {},
        "data": {"document_code": "P", "issuing_state": "UTO", "surnames": "ERIKSSON", "given_names": "ANNA MARIA",
                 "document_number": "L898902C3", "nationality": "UTO", "birth_date": "1974-08-12", "sex": "F",
                 "expiry_date": "2012-04-15"},
    });
    for (faces, jp2) in [
        (
            serde_json::json!({"chip": {"mime": "image/jpeg", "sha256": "a"}, "capture": {"mime": "image/jpeg", "sha256": "b"}}),
            false,
        ),
        (serde_json::json!({"chip": {"mime": "image/jp2", "sha256": "a"}, "score": 0.25}), true),
    ] {
        let traveller = serde_json::json!({
            "crossing_id": "C1", "given_names": "ANNE MARIA", "surnames": "ERIKSSON", "sex": "F", "relation": "lead",
            "birth_date": {"year": 1974, "month": 8, "day": 12}, "nationality": "UTO",
            "document": {"document_number": "L898902C3", "issuing_state": "UTO", "document_type": "P", "source": "mrz",
                         "mrz_valid": true, "problems": [], "typed_differs": []},
            "hits": [], "flags": [], "suggested": "secondary_inspection", "hit_ids": [], "chip": chip, "faces": faces,
        });
        for lang in Lang::ALL {
            let result = serde_json::json!({
                "suggested": "secondary_inspection", "travellers": [traveller.clone()], "party": "C1",
                "banner": {"hits": 0, "flagged": 1, "total": 1},
            });
            let html = env
                .get_template("inspection.html")
                .unwrap()
                .render(minijinja::context! { lang => lang.code(), other_lang => lang.other().code(), path => "/inspeccion",
                    result => minijinja::Value::from_serialize(&result),
                    booth_ctx => minijinja::Value::from_serialize(serde_json::json!({"post": "GTM-TECUNUMAN", "direction": "entry", "lane": "", "vehicle": ""})),
                    relations => minijinja::Value::from_serialize(serde_json::json!([])),
                    observations => minijinja::Value::from_serialize(serde_json::json!([])) })
                .unwrap();
            // Only the given names differ between the chip and the page.
            assert_eq!(html.matches("data-testid=\"chip-differs\"").count(), 1, "{html}");
            assert!(html.contains("12&#x2f;08&#x2f;1974"));
            if jp2 {
                assert!(html.contains("data-testid=\"face-jp2\""));
                assert!(html.contains(i18n::tr(lang, "faces.no_capture")));
                assert!(html.contains("data-testid=\"face-score\""));
            } else {
                assert!(html.contains("/api/crossings/C1/images/chip"));
                assert!(html.contains("/api/crossings/C1/images/capture"));
                assert!(!html.contains("data-testid=\"face-score\""));
            }
        }
    }
}
