//! Connectors end to end against a local HTTP server on 127.0.0.1 serving
//! fixtures in each source's shape: paging, a changed record, a withdrawn
//! notice, a malformed record, a server error mid-pull, a 304; on SQLite
//! and, when `CENTINELA_TEST_PG` is set, PostgreSQL.

mod support;

use std::time::Duration;

use centinela_app::connectors::{
    AddConnector, Connector, Diff, Fetched, Limits, Outcome, Pull, PullContext, PullFuture, RunReport,
};
use centinela_app::{App, Caller};
use centinela_domain::ListKind;
use centinela_store::ListRows;
use serde_json::json;
use support::{Fixture, FixtureServer, stores};

fn quick() -> Limits {
    Limits {
        rate_per_second: 0.0,
        retries: 1,
        backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(10),
        ..Limits::default()
    }
}

async fn add(app: &App, name: &str, kind: &str, url: &str, list: &str) {
    app.add_connector(
        Caller::Cli,
        &AddConnector {
            name,
            kind,
            base_url: url,
            list,
            list_kind: None,
            schedule_minutes: Some(60),
            max_age_hours: Some(24),
            credential: "",
        },
    )
    .await
    .unwrap();
}

async fn run(app: &App, name: &str) -> RunReport {
    app.run_connector_as("cli", name, quick()).await.unwrap()
}

fn notice(id: &str, given: &str, surname: &str, charge: &str) -> String {
    json!({"entity_id": id, "forename": given, "name": surname, "date_of_birth": "1980/05/12",
           "nationalities": ["GT"], "sex_id": "M",
           "arrest_warrants": [{"charge": charge, "issuing_country_id": "GT"}]})
    .to_string()
}

fn detail_path(id: &str) -> String {
    format!("/notices/v1/red/{}", id.replace('/', "-"))
}

fn page(ids: &[&str], next: Option<&str>) -> String {
    let notices: Vec<_> =
        ids.iter().map(|id| json!({"entity_id": id, "_links": {"self": {"href": detail_path(id)}}})).collect();
    let mut links = json!({"self": {"href": "x"}});
    if let Some(n) = next {
        links["next"] = json!({"href": n});
    }
    json!({"total": ids.len(), "_embedded": {"notices": notices}, "_links": links}).to_string()
}

async fn audited(app: &App, action: &str) -> usize {
    app.store().audit_entries(None).await.unwrap().iter().filter(|e| e.action == action).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interpol_red_notices_page_change_withdraw_and_fail_safely() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        let ids = ["2024/1", "2024/2", "2024/3", "2024/4", "2024/5"];
        srv.set("/notices/v1/red?page=1", Fixture::ok(page(&ids[..3], Some("/notices/v1/red?page=2"))));
        srv.set("/notices/v1/red?page=2", Fixture::ok(page(&ids[3..], None)));
        for (i, id) in ids.iter().enumerate() {
            srv.set(
                &detail_path(id),
                Fixture::tagged(notice(id, "JUAN", &format!("PEREZ{i}"), "Homicide"), &format!("v1-{i}")),
            );
        }
        add(&app, "interpol-red", "interpol-red", &format!("{}/notices/v1/red?page=1", srv.base), "interpol-rojas")
            .await;

        let r = run(&app, "interpol-red").await;
        assert_eq!(
            (r.outcome, r.diff, r.version, r.rows),
            (Outcome::Imported, Diff { added: 5, changed: 0, withdrawn: 0 }, Some(1), 5)
        );
        let lists = app.lists().await.unwrap();
        let l = lists.iter().find(|l| l.name == "interpol-rojas").unwrap();
        assert_eq!((l.kind, l.max_age_hours, l.stale), ("wanted", Some(24), false));
        let Some((_, ListRows::Entries(rows))) = app.store().version_rows("interpol-rojas", 1).await.unwrap() else {
            panic!()
        };
        assert_eq!(rows[0].notice.reason, "Notificación roja / Red notice: Homicide");
        assert_eq!(rows[0].notice.authority, "GTM");

        // A changed notice, a withdrawn one; the others answer 304.
        srv.set(
            &detail_path("2024/2"),
            Fixture::tagged(notice("2024/2", "JUAN", "PEREZ1", "Trafficking in persons"), "v2"),
        );
        srv.set("/notices/v1/red?page=2", Fixture::ok(page(&ids[3..4], None)));
        let before = srv.not_modified();
        let r = run(&app, "interpol-red").await;
        assert_eq!(
            (r.outcome, r.diff, r.version),
            (Outcome::Imported, Diff { added: 0, changed: 1, withdrawn: 1 }, Some(2))
        );
        assert_eq!(srv.not_modified() - before, 3, "notices 1, 3 and 4 unchanged: conditional requests");

        // Nothing changed: the version stays, confirmed fresh.
        let r = run(&app, "interpol-red").await;
        assert_eq!((r.outcome, r.version), (Outcome::Unchanged, Some(2)));

        // A server error mid-pull (after retries): the version in force stays.
        srv.set("/notices/v1/red?page=2", Fixture::error(503));
        let r = run(&app, "interpol-red").await;
        assert_eq!((r.outcome, r.version), (Outcome::Failed, Some(2)));
        assert!(r.message.contains("HTTP 503") && r.message.contains("the version in force stays"), "{}", r.message);
        assert_eq!(srv.seen.lock().unwrap().paths["/notices/v1/red?page=2"], 5, "2 + 1 retry");

        // A malformed record refuses the pull, naming its position and field.
        srv.set("/notices/v1/red?page=2", Fixture::ok(page(&ids[3..4], None)));
        srv.set(&detail_path("2024/3"), Fixture::tagged(r#"{"entity_id":"2024/3"}"#, "broken"));
        let r = run(&app, "interpol-red").await;
        assert_eq!(r.outcome, Outcome::Failed);
        assert!(r.message.contains("record 3, field name"), "{}", r.message);
        assert_eq!(app.store().lists().await.unwrap()[0].version, Some(2));

        let c = app.connectors().await.unwrap();
        assert_eq!((c[0].last_outcome.as_deref(), c[0].last_success_at.is_some()), (Some("failed"), true));
        assert_eq!(audited(&app, "connector_pull").await, 5);
        assert_eq!(audited(&app, "list_imported").await, 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yellow_notices_feed_a_missing_list_with_their_circumstances() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        srv.set(
            "/notices/v1/yellow",
            Fixture::ok(
                json!({"_embedded": {"notices": [
            {"entity_id": "2025/9", "_links": {"self": {"href": "/notices/v1/yellow/2025-9"}}}]}, "_links": {}})
                .to_string(),
            ),
        );
        srv.set(
            "/notices/v1/yellow/2025-9",
            Fixture::ok(
                json!({"entity_id": "2025/9", "forename": "ANA", "name": "LOPEZ",
            "date_of_birth": "2012", "sex_id": "F", "date_of_event": "2025/02", "place": "Tecún Umán", "country": "GT"})
                .to_string(),
            ),
        );
        add(&app, "amarillas", "interpol-yellow", &format!("{}/notices/v1/yellow", srv.base), "interpol-amarillas")
            .await;
        let r = run(&app, "amarillas").await;
        assert_eq!((r.outcome, r.rows), (Outcome::Imported, 1));
        let Some((kind, ListRows::Entries(rows))) = app.store().version_rows("interpol-amarillas", 1).await.unwrap()
        else {
            panic!()
        };
        assert_eq!(kind, ListKind::Missing);
        assert_eq!(
            rows[0].notice.reason,
            "Notificación amarilla / Yellow notice: desaparecida / missing 02/2025, Tecún Umán"
        );
    }
}

const UN: &str = r#"<CONSOLIDATED_LIST><INDIVIDUALS>
<INDIVIDUAL><DATAID>1</DATAID><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><FIRST_NAME>AHMAD</FIRST_NAME><SECOND_NAME>KARIM</SECOND_NAME>
<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY></INDIVIDUAL>
<INDIVIDUAL><DATAID>2</DATAID><REFERENCE_NUMBER>QDi.2</REFERENCE_NUMBER><FIRST_NAME>OMAR</FIRST_NAME><SECOND_NAME>SAID</SECOND_NAME></INDIVIDUAL>
</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_un_list_is_pulled_then_not_modified() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        srv.set("/consolidated.xml", Fixture::tagged(UN, "u1"));
        add(&app, "onu", "un-sc", &format!("{}/consolidated.xml", srv.base), "onu-consolidada").await;
        let r = run(&app, "onu").await;
        assert_eq!((r.outcome, r.diff.added), (Outcome::Imported, 2));
        let r = run(&app, "onu").await;
        assert_eq!((r.outcome, r.version), (Outcome::NotModified, Some(1)));
        assert_eq!(srv.not_modified(), 1);
        // A changed individual, then both withdrawn, then a cut document.
        srv.set("/consolidated.xml", Fixture::tagged(UN.replace("SAID", "SAYED"), "u2"));
        let r = run(&app, "onu").await;
        assert_eq!((r.outcome, r.diff), (Outcome::Imported, Diff { added: 0, changed: 1, withdrawn: 0 }));
        srv.set(
            "/consolidated.xml",
            Fixture::tagged("<CONSOLIDATED_LIST><INDIVIDUALS></INDIVIDUALS></CONSOLIDATED_LIST>", "u3"),
        );
        let r = run(&app, "onu").await;
        assert_eq!((r.outcome, r.diff.withdrawn, r.rows), (Outcome::Imported, 2, 0));
        srv.set("/consolidated.xml", Fixture::tagged("<CONSOLIDATED_LIST><INDIVIDUALS>", "u4"));
        let r = run(&app, "onu").await;
        assert_eq!((r.outcome, r.version), (Outcome::Failed, Some(3)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opensanctions_reads_the_dataset_then_its_deltas() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        let full = [
            r#"{"id":"os-1","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz"]}}"#,
            r#"{"id":"os-2","schema":"Person","properties":{"firstName":["Luis"],"lastName":["Soto"]}}"#,
            r#"{"id":"co-1","schema":"Company","properties":{"name":["Acme"]}}"#,
        ]
        .join("\n");
        srv.set("/sanctions/entities.ftm.json", Fixture::ok(full));
        add(&app, "os", "opensanctions", &format!("{}/sanctions", srv.base), "opensanctions").await;
        let r = run(&app, "os").await;
        assert_eq!((r.outcome, r.diff.added), (Outcome::Imported, 2));
        let delta = [
            r#"{"op":"MOD","entity":{"id":"os-1","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz Soto"]}}}"#,
            r#"{"op":"DEL","entity":{"id":"os-2"}}"#,
            r#"{"op":"ADD","entity":{"id":"os-3","schema":"Person","properties":{"firstName":["Eva"],"lastName":["Mora"]}}}"#,
        ]
        .join("\n");
        srv.set("/sanctions/entities.delta.json", Fixture::tagged(delta, "d1"));
        let r = run(&app, "os").await;
        assert_eq!((r.outcome, r.diff), (Outcome::Imported, Diff { added: 1, changed: 1, withdrawn: 1 }));
        let r = run(&app, "os").await;
        assert_eq!(r.outcome, Outcome::NotModified);
        srv.set("/sanctions/entities.delta.json", Fixture::tagged(r#"{"op":"UPSERT"}"#, "d2"));
        let r = run(&app, "os").await;
        assert_eq!((r.outcome, r.version), (Outcome::Failed, Some(2)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_lists_over_https_and_from_a_directory() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        let csv = "id,given_names,surnames,birth_date,nationality,sex\nN1,Ana,Pérez,1980-05-12,GTM,F\n";
        srv.set("/lista.csv", Fixture::tagged(csv, "n1"));
        add(&app, "nacional", "national-csv", &format!("{}/lista.csv", srv.base), "nacional").await;
        assert_eq!(run(&app, "nacional").await.outcome, Outcome::Imported);
        assert_eq!(run(&app, "nacional").await.outcome, Outcome::NotModified);
        srv.set("/lista.csv", Fixture::tagged(format!("{csv}N2,Luis,Soto,19xx,GTM,M\n"), "n2"));
        let r = run(&app, "nacional").await;
        assert_eq!(r.outcome, Outcome::Failed);
        assert!(r.message.contains("record 3, field birth_date"), "{}", r.message);

        let drop = tempfile::tempdir().unwrap();
        let docs = "document_number,issuing_state,document_type,status,reported_at\nG123,GTM,P,stolen,2026-01-02\n";
        std::fs::write(drop.path().join("2026-01-02.csv"), docs).unwrap();
        app.add_connector(
            Caller::Cli,
            &AddConnector {
                name: "ministerio",
                kind: "national-dir",
                base_url: drop.path().to_str().unwrap(),
                list: "robados",
                list_kind: Some(ListKind::Documents),
                schedule_minutes: None,
                max_age_hours: None,
                credential: "",
            },
        )
        .await
        .unwrap();
        assert_eq!(run(&app, "ministerio").await.outcome, Outcome::Imported);
        assert_eq!(run(&app, "ministerio").await.outcome, Outcome::NotModified);
        let later = drop.path().join("2026-01-03.csv");
        std::fs::write(&later, format!("{docs}X999,SLV,P,lost,2026-01-03\n")).unwrap();
        let f = std::fs::File::options().write(true).open(&later).unwrap();
        f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5)).unwrap();
        let r = run(&app, "ministerio").await;
        assert_eq!((r.outcome, r.diff.added, r.rows), (Outcome::Imported, 1, 2));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_is_checked_and_schedules_run_enabled_connectors() {
    for (store, _dir) in stores().await {
        let app = App::new(store);
        let bad = |kind: &'static str, url: &'static str, credential: &'static str| AddConnector {
            name: "x",
            kind,
            base_url: url,
            list: "l",
            list_kind: None,
            schedule_minutes: None,
            max_age_hours: None,
            credential,
        };
        for req in [
            bad("nope", "https://example.org/", ""),
            bad("un-sc", "ftp://example.org/", ""),
            bad("un-sc", "https://example.org/", "s3cr3t"),
            bad("un-sc", "https://example.org/", "file:relative"),
        ] {
            assert!(app.add_connector(Caller::Cli, &req).await.is_err(), "{req:?}");
        }
        // The secret is read at each run, from where the credential says.
        app.add_connector(Caller::Cli, &bad("un-sc", "http://127.0.0.1:9/", "env:CENTINELA_TEST_UNSET_SECRET"))
            .await
            .unwrap();
        let r = run(&app, "x").await;
        assert!(r.message.contains("CENTINELA_TEST_UNSET_SECRET not set"), "{}", r.message);
        // Due now: it ran; due again only after its schedule.
        let now = jiff::Timestamp::now().as_second();
        assert!(app.run_due_connectors(now).await.unwrap().is_empty());
        assert_eq!(app.run_due_connectors(now + 3_601).await.unwrap().len(), 1);
        app.set_connector_enabled(Caller::Cli, "x", false).await.unwrap();
        assert!(app.run_due_connectors(now + 9_999).await.unwrap().is_empty());
    }
}

/// The worked example of docs/CONNECTORS.md: a country's own connector (a
/// bridge to its NCB's stolen and lost documents), registered and run.
struct NcbSltd;

impl Connector for NcbSltd {
    fn pull<'a>(&'a self, ctx: &'a PullContext<'a>) -> PullFuture<'a> {
        Box::pin(async move {
            let url = ctx.http.resolve(&ctx.base, "sltd/export.csv")?;
            let before = ctx.state.get("v").cloned().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
            let (bytes, v) = match ctx.http.get(&url, ctx.current.is_some().then_some(&before)).await? {
                Fetched::NotModified => return Ok(Pull::NotModified { state: ctx.state.clone() }),
                Fetched::Body { bytes, validators } => (bytes, validators),
            };
            let docs = centinela_lists::read_documents(bytes.as_slice())?;
            Ok(Pull::Rows {
                read: docs.len() as u64,
                rows: ListRows::Documents(docs),
                format: "ncb-sltd",
                skipped: 0,
                dropped_values: 0,
                state: json!({ "v": v }),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_country_plugs_in_its_own_connector() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        assert!(app.register_connector("un-sc", |_| Ok(Box::new(NcbSltd))).is_err(), "a built-in kind");
        app.register_connector("ncb-sltd", |_| Ok(Box::new(NcbSltd))).unwrap();
        let docs = "document_number,issuing_state,document_type,status,reported_at\nG123,GTM,P,stolen,2026-01-02\n";
        srv.set("/sltd/export.csv", Fixture::tagged(docs, "s1"));
        app.add_connector(
            Caller::Cli,
            &AddConnector {
                name: "sltd",
                kind: "ncb-sltd",
                base_url: &format!("{}/", srv.base),
                list: "sltd-nacional",
                list_kind: Some(ListKind::Documents),
                schedule_minutes: None,
                max_age_hours: None,
                credential: "",
            },
        )
        .await
        .unwrap();
        assert_eq!(run(&app, "sltd").await.outcome, Outcome::Imported);
        assert_eq!(run(&app, "sltd").await.outcome, Outcome::NotModified);
        assert_eq!(app.store().lists().await.unwrap()[0].format.as_deref(), Some("ncb-sltd"));
    }
}

/// A tiny JPEG's first bytes (the connector checks magic bytes, not pixels).
fn jpeg(fill: u8, len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.resize(len, fill);
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interpol_thumbnails_are_fetched_bounded_checked_and_go_with_their_notice() {
    for (store, _dir) in stores().await {
        let srv = FixtureServer::start().await;
        let app = App::new(store);
        let ids = ["2024/1", "2024/2", "2024/3", "2024/4"];
        let thumb = |id: &str| format!("{}/images/1", detail_path(id));
        let listing = |ids: &[&str]| {
            let notices: Vec<_> = ids
                .iter()
                .map(|id| {
                    json!({"entity_id": id, "_links": {"self": {"href": detail_path(id)},
                    "thumbnail": {"href": thumb(id)}}})
                })
                .collect();
            json!({"_embedded": {"notices": notices}, "_links": {}}).to_string()
        };
        srv.set("/notices/v1/red", Fixture::ok(listing(&ids)));
        for (i, id) in ids.iter().enumerate() {
            srv.set(&detail_path(id), Fixture::tagged(notice(id, "JUAN", &format!("PEREZ{i}"), "Fraud"), "d"));
        }
        // One JPEG, one oversized, one HTML page pretending to be an image, one 404.
        srv.set(&thumb("2024/1"), Fixture::tagged(jpeg(1, 2_000), "t1"));
        srv.set(&thumb("2024/2"), Fixture::tagged(jpeg(2, 300 * 1024), "t2"));
        srv.set(&thumb("2024/3"), Fixture::tagged("<html><body>Not found</body></html>", "t3"));
        add(&app, "rojas", "interpol-red", &format!("{}/notices/v1/red", srv.base), "interpol-rojas").await;

        let r = run(&app, "rojas").await;
        assert_eq!((r.outcome, r.rows, r.images_stored), (Outcome::Imported, 4, 1), "{:?}", r.warnings);
        let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["thumbnail_too_large", "thumbnail_not_image", "thumbnail_missing"], "{:?}", r.warnings);
        assert!(r.warnings[0].detail.contains("larger than 262144 bytes"), "{:?}", r.warnings[0]);
        let img = app.store().list_image("interpol-rojas", "2024/1").await.unwrap().unwrap();
        assert_eq!((img.mime.as_str(), img.bytes), ("image/jpeg", jpeg(1, 2_000)));
        for id in &ids[1..] {
            assert!(app.store().list_image("interpol-rojas", id).await.unwrap().is_none(), "{id}");
        }
        let c = app.connectors().await.unwrap();
        assert!(c[0].last_message.contains("3 warnings"), "{}", c[0].last_message);

        // Unchanged: the held image is asked conditionally (304), not fetched again.
        let before = srv.seen.lock().unwrap().not_modified;
        let r = run(&app, "rojas").await;
        assert_eq!((r.outcome, r.images_stored, r.images_removed), (Outcome::Unchanged, 0, 0));
        assert_eq!(srv.seen.lock().unwrap().not_modified - before, 5, "4 details and the one image held");

        // A changed image replaces the held one; a withdrawn notice's image goes with it.
        srv.set(&thumb("2024/4"), Fixture::tagged(jpeg(4, 100), "t4"));
        let r = run(&app, "rojas").await;
        assert_eq!(r.images_stored, 1);
        assert!(app.store().list_image("interpol-rojas", "2024/4").await.unwrap().is_some());
        srv.set("/notices/v1/red", Fixture::ok(listing(&ids[1..])));
        let r = run(&app, "rojas").await;
        assert_eq!((r.outcome, r.diff.withdrawn), (Outcome::Imported, 1));
        assert!(app.store().list_image("interpol-rojas", "2024/1").await.unwrap().is_none(), "withdrawn");
        assert!(app.store().list_image("interpol-rojas", "2024/4").await.unwrap().is_some());
        // An image turned into something else is taken away (a tombstone for the posts).
        srv.set(&thumb("2024/4"), Fixture::tagged("GIF89a", "t5"));
        let r = run(&app, "rojas").await;
        assert_eq!((r.outcome, r.images_removed), (Outcome::Unchanged, 1));
        assert!(app.store().list_image("interpol-rojas", "2024/4").await.unwrap().is_none());
        let sent = app.store().list_images_since(0).await.unwrap();
        assert!(sent.images.last().is_some_and(|i| i.entry_id == "2024/4" && i.mime.is_empty()));
        let pulls = app.store().audit_entries(None).await.unwrap();
        let last = pulls.iter().rev().find(|e| e.action == "connector_pull").unwrap();
        assert!(!last.detail.contains("PEREZ") && last.detail.contains("thumbnail_not_image"), "{}", last.detail);
    }
}
