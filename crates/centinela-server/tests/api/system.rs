//! Health, the OpenAPI document and the Swagger UI: no login needed.

use std::collections::BTreeSet;

use centinela_server::ENDPOINTS;
use centinela_server::routes::Access;

use crate::helpers::{json, spawn_apps};

#[tokio::test]
async fn health_reports_version_and_database() {
    for app in spawn_apps().await {
        let r = app.get("/api/health").send().await.unwrap();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let (status, body) = json(r).await;
        assert_eq!(status, 200);
        assert_eq!(body["database"], app.backend());
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        insta::allow_duplicates! { insta::assert_json_snapshot!(body, {".database" => "[backend]", ".version" => "[version]"}, @r#"
        {
          "database": "[backend]",
          "stale_lists": [],
          "status": "ok",
          "version": "[version]"
        }
        "#); }
    }
}

/// A list older than its expected age is reported (the server still
/// answers 200); one refreshed within it, or with no expected age, is not.
#[tokio::test]
async fn health_reports_stale_lists() {
    use centinela_domain::{AlertEntry, ListKind};
    use centinela_store::{ListRows, NewVersion};
    for app in spawn_apps().await {
        for name in ["interpol-rojas", "nacional"] {
            let nv = NewVersion {
                list: name,
                kind: ListKind::Wanted,
                source: None,
                file_name: "l.csv",
                format: "csv",
                rows_read: 1,
                rows_skipped: 0,
                keep_old_versions: false,
            };
            let e = AlertEntry { id: "1".into(), surnames: "PEREZ".into(), ..Default::default() };
            app.store.import_version(&nv, &ListRows::Entries(vec![e])).await.unwrap();
        }
        app.store.mark_list_refreshed("interpol-rojas", None, Some(24)).await.unwrap();
        let (_, body) = json(app.get("/api/health").send().await.unwrap()).await;
        assert_eq!(body["stale_lists"], serde_json::json!([]), "refreshed just now");
        app.raw("UPDATE alert_lists SET refreshed_at = '2026-01-01T00:00:00Z'").await;
        let (status, body) = json(app.get("/api/health").send().await.unwrap()).await;
        assert_eq!(status, 200);
        let stale = body["stale_lists"].as_array().unwrap();
        assert_eq!(stale.len(), 1, "{body}");
        assert_eq!((stale[0]["name"].as_str(), stale[0]["max_age_hours"].as_i64()), (Some("interpol-rojas"), Some(24)));
    }
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint_with_its_roles() {
    let app = spawn_apps().await.remove(0);
    let (status, doc) = json(app.get("/api/openapi.json").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("bearer") && schemes.contains_key("cookie"));

    // Every endpoint of the table is documented with the table's roles …
    let mut in_table = BTreeSet::new();
    for e in ENDPOINTS {
        let method = e.verb.as_str().to_ascii_lowercase();
        let op = &doc["paths"][e.path][&method];
        assert!(op.is_object(), "{} {} is missing from the OpenAPI document", e.verb.as_str(), e.path);
        let roles: Vec<&str> = op["x-roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        let expected: Vec<&str> = match e.access {
            Access::Public => vec![],
            Access::Roles(r) => r.iter().map(|r| r.as_str()).collect(),
        };
        assert_eq!(roles, expected, "{} {}", e.verb.as_str(), e.path);
        assert!(op["description"].as_str().unwrap().contains("Access:"));
        // A guarded operation documents the guard's answers, with the error body.
        if let Access::Roles(_) = e.access {
            for status in ["401", "403"] {
                let schema = &op["responses"][status]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{} {} {status}", e.verb.as_str(), e.path);
            }
        }
        in_table.insert((method, e.path.to_owned()));
    }
    // … the post-key routes are documented too …
    for (verb, path) in centinela_server::routes::POST_KEY_ROUTES {
        let method = verb.as_str().to_ascii_lowercase();
        assert!(doc["paths"][*path][&method].is_object(), "{path} is missing from the OpenAPI document");
        in_table.insert((method, (*path).to_owned()));
    }
    // … and the document has nothing the tables lack.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(in_table.contains(&(method.clone(), path.clone())), "{method} {path} is documented but not routed");
        }
    }
}

/// Two request types of one name once shared a schema in the document, so
/// one operation was documented with the other's body and every call
/// generated from it was refused: each body names its own fields.
#[tokio::test]
async fn request_bodies_are_documented_with_their_own_fields() {
    let app = spawn_apps().await.remove(0);
    let (_, doc) = json(app.get("/api/openapi.json").send().await.unwrap()).await;
    let body_fields = |path: &str, method: &str| -> Vec<String> {
        let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        let name = schema["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
        doc["components"]["schemas"][name]["properties"].as_object().unwrap().keys().cloned().collect()
    };
    let intel = body_fields("/api/intel/decisions", "post");
    assert!(intel.contains(&"crossing_a".to_owned()) && intel.contains(&"crossing_b".to_owned()), "{intel:?}");
    let booth = body_fields("/api/crossings/{id}/decision", "post");
    assert!(booth.contains(&"decision".to_owned()) && !booth.contains(&"crossing_a".to_owned()), "{booth:?}");
}

#[tokio::test]
async fn swagger_ui_is_served_offline() {
    let app = spawn_apps().await.remove(0);
    let r = app.get("/api/docs/").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("swagger"), "{page}");
    let init = app.get("/api/docs/swagger-initializer.js").send().await.unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/api/openapi.json"));
}
