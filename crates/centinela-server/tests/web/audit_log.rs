//! The auditor's log (issue 17): newest first, filters by user, action,
//! dates (DD/MM/AAAA or ISO, in the viewer's zone) and subject, paging,
//! user names instead of ids, actions and details translated, and a
//! bounded, audited CSV export.

use centinela_domain::Role;

use crate::helpers::{PASSWORD, sign_in, spawn_country, username};

fn seqs(html: &str) -> Vec<i64> {
    html.split("data-seq=\"").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect()
}

#[tokio::test]
async fn the_log_is_newest_first_filtered_paged_and_exported() {
    let app = spawn_country().await;
    // Some entries by others: an officer and a supervisor sign in and look.
    for role in [Role::Officer, Role::Supervisor] {
        let c = sign_in(&app, &username(role), PASSWORD).await;
        c.get(app.url("/alertas")).send().await.unwrap();
    }
    let auditor = sign_in(&app, &username(Role::Auditor), PASSWORD).await;
    let html = auditor.get(app.url("/auditoria")).send().await.unwrap().text().await.unwrap();
    let first = seqs(&html);
    assert!(first.len() > 5, "{html}");
    assert!(first.windows(2).all(|w| w[0] > w[1]), "newest first: {first:?}");
    assert!(html.contains("Alertas consultadas"), "actions translated");
    assert!(html.contains(&username(Role::Officer)), "user names, not ids");
    assert!(!html.contains(">user:"), "no numeric actor shown");

    // By user: only the officer's entries (their sign-in and their look).
    let r = auditor.get(app.url(&format!("/auditoria?usuario={}", username(Role::Officer)))).send().await.unwrap();
    let html = r.text().await.unwrap();
    let mine = seqs(&html);
    assert!(!mine.is_empty() && mine.len() < first.len(), "{mine:?}");
    assert!(html.contains("Inicio de sesión") && !html.contains(&format!(">{}<", username(Role::Supervisor))));
    // By action and user together.
    let url = format!("/auditoria?usuario={}&accion=hits_viewed", username(Role::Supervisor));
    let html = auditor.get(app.url(&url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(seqs(&html).len(), 1, "{html}");
    // By subject (its start), and an unknown user matches nothing.
    let html = auditor.get(app.url("/auditoria?sujeto=audit_log")).send().await.unwrap().text().await.unwrap();
    assert!(!seqs(&html).is_empty() && html.contains("el registro de auditoría"));
    let html = auditor.get(app.url("/auditoria?usuario=nadie")).send().await.unwrap().text().await.unwrap();
    assert!(seqs(&html).is_empty() && html.contains("Ninguna entrada coincide."));

    // Dates as the region writes them, or ISO; today holds everything,
    // yesterday nothing; a date that does not parse is said beside it.
    let today = jiff::Zoned::now().date();
    let yesterday = today.yesterday().unwrap();
    let dmy = |d: jiff::civil::Date| d.strftime("%d/%m/%Y").to_string();
    let url = format!("/auditoria?desde={}&hasta={}", dmy(yesterday), dmy(today));
    assert!(!seqs(&auditor.get(app.url(&url)).send().await.unwrap().text().await.unwrap()).is_empty());
    let url = format!("/auditoria?hasta={}", yesterday.strftime("%Y-%m-%d"));
    // The centre's zone may be behind UTC: two days back holds nothing.
    let before = yesterday.yesterday().unwrap();
    let url2 = format!("/auditoria?hasta={}", dmy(before));
    assert!(seqs(&auditor.get(app.url(&url2)).send().await.unwrap().text().await.unwrap()).is_empty(), "{url}");
    let r = auditor.get(app.url("/auditoria?desde=31/02/2026")).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().replace("&#x2f;", "/").contains("Escriba la fecha como DD/MM/AAAA"));

    // Paging: the older page starts below the first.
    let html = auditor.get(app.url("/auditoria?accion=audit_viewed")).send().await.unwrap().text().await.unwrap();
    let top = seqs(&html)[0];
    let html = auditor.get(app.url(&format!("/auditoria?antes={top}"))).send().await.unwrap().text().await.unwrap();
    assert!(seqs(&html).iter().all(|s| *s < top));

    // The export: CSV, newest first, with user names, and itself audited.
    let r = auditor.get(app.url("/auditoria/exportar?accion=login")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("seq,at,actor,user,action,subject,detail,hash"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 3 && rows.iter().all(|l| l.contains(",login,")), "{csv}");
    assert!(rows.iter().any(|l| l.contains(&username(Role::Officer))));
    let html = auditor.get(app.url("/auditoria?accion=audit_exported")).send().await.unwrap().text().await.unwrap();
    assert_eq!(seqs(&html).len(), 1, "the export is audited");
    assert!(html.contains("entradas"), "its detail readable: {html}");

    // Others may not read it.
    let officer = sign_in(&app, &username(Role::Officer), PASSWORD).await;
    assert_eq!(officer.get(app.url("/auditoria/exportar")).send().await.unwrap().status(), 403);
}
