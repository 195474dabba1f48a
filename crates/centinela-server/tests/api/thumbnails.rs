//! The notices' thumbnails (issue 21): served for a hit by
//! `GET /api/hits/{id}/thumbnail` to the inspectors and supervisors of the
//! hit's post only, every read audited without names; carried to a post
//! with the lists by the sync pull, bounded per pull, and gone with their
//! withdrawn notice.

use centinela_domain::{AlertEntry, CountryCode, ListKind, Role};
use centinela_store::{ListRows, NewListImage, NewPost, NewVersion, PostKind, Store};
use serde_json::json;

use crate::helpers::{expect_error, spawn_apps};
use crate::inspections::{country, inspect};

fn jpeg(fill: u8, len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.resize(len, fill);
    b
}

#[tokio::test]
async fn a_hits_thumbnail_is_served_to_its_post_only_and_audited() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        app.store
            .write_list_images("interpol-red", &[NewListImage { entry_id: "W-1", bytes: &jpeg(7, 900) }], &[])
            .await
            .unwrap();
        let (status, body) = inspect(
            &app,
            &officer,
            json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [
                {"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17"},
                {"given_names": "Yesenia", "surnames": "Cux Tzul", "birth_date": "2011-02-03"}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let wanted = body["travellers"][0]["hit_ids"][0].as_i64().unwrap();
        let missing = body["travellers"][1]["hit_ids"][0].as_i64().unwrap();
        let path = format!("/api/hits/{wanted}/thumbnail");

        for token in [&officer, &supervisor] {
            let r = app.get(&path).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            assert_eq!(r.headers()["cache-control"], "no-store");
            assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg(7, 900));
        }
        // Another post's officer, and a role that does not inspect: refused.
        let other = app.user("otro", Role::Officer, Some("GTM-ELCARMEN")).await;
        let other = app.token(&other).await;
        expect_error(app.get(&path).bearer_auth(&other).send().await.unwrap(), 403, "forbidden").await;
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        expect_error(app.get(&path).bearer_auth(&analyst).send().await.unwrap(), 403, "forbidden").await;
        // An entry without an image, and no such hit.
        let no_image = format!("/api/hits/{missing}/thumbnail");
        expect_error(app.get(&no_image).bearer_auth(&officer).send().await.unwrap(), 404, "not_found").await;
        expect_error(
            app.get("/api/hits/999999/thumbnail").bearer_auth(&officer).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;

        // The OpenAPI document says both image types.
        let doc: serde_json::Value = app.get("/api/openapi.json").send().await.unwrap().json().await.unwrap();
        let ok = &doc["paths"]["/api/hits/{id}/thumbnail"]["get"]["responses"]["200"]["content"];
        assert!(ok["image/jpeg"].is_object() && ok["image/png"].is_object(), "{ok}");

        let viewed: Vec<_> = app.audit().await.into_iter().filter(|a| a.1 == "list_image_viewed").collect();
        assert_eq!(viewed.len(), 2, "each read audited, refusals not served: {viewed:?}");
        assert_eq!(viewed[0].2, format!("hit:{wanted}"));
        assert_eq!(
            (viewed[0].3["list"].as_str(), viewed[0].3["entry_id"].as_str()),
            (Some("interpol-red"), Some("W-1"))
        );
        let detail = viewed[0].3.to_string();
        assert!(!detail.contains("Hern") && !detail.contains("José"), "no names in the audit: {detail}");
    }
}

fn entries(ids: impl Iterator<Item = String>) -> ListRows {
    ListRows::Entries(
        ids.map(|id| AlertEntry {
            given_names: format!("Nombre{id}"),
            surnames: "Apellido".into(),
            id,
            ..Default::default()
        })
        .collect(),
    )
}

async fn import(store: &Store, rows: &ListRows) {
    let nv = NewVersion {
        list: "interpol-rojas",
        kind: ListKind::Wanted,
        source: None,
        file_name: "t",
        format: "interpol",
        rows_read: rows.len() as u64,
        rows_skipped: 0,
        keep_old_versions: false,
    };
    store.import_version(&nv, rows).await.unwrap();
}

#[tokio::test]
async fn thumbnails_reach_a_post_with_the_list_bounded_per_pull() {
    for centre in spawn_apps().await {
        let p = NewPost {
            code: "GTM-TECUNUMAN",
            name: "Tecún Umán",
            country: CountryCode::parse("GTM").unwrap(),
            facing: "",
            kind: PostKind::Land,
        };
        let key = centre.store.add_post("system", &p).await.unwrap().1;
        let n = centinela_store::MAX_LIST_IMAGES_PULLED as usize + 50;
        let ids: Vec<String> = (0..n).map(|i| format!("2024/{i}")).collect();
        import(&centre.store, &entries(ids.iter().cloned())).await;
        let bytes: Vec<Vec<u8>> = (0..n).map(|i| jpeg(i as u8, 200 + i)).collect();
        let put: Vec<NewListImage<'_>> =
            ids.iter().zip(&bytes).map(|(id, b)| NewListImage { entry_id: id, bytes: b }).collect();
        let w = centre.store.write_list_images("interpol-rojas", &put, &[]).await.unwrap();
        assert_eq!(w.stored, n as u64);
        // The same bytes again change nothing (the posts are not sent them twice).
        assert_eq!(centre.store.write_list_images("interpol-rojas", &put[..3], &[]).await.unwrap().stored, 0);
        // One pull carries a bounded part, and says there is more.
        let first = centre.store.list_images_since(0).await.unwrap();
        assert_eq!((first.images.len(), first.more), (centinela_store::MAX_LIST_IMAGES_PULLED as usize, true));

        let dir = tempfile::tempdir().unwrap();
        let post = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
        let cfg = centinela_sync::Config::new(&centre.url(""), &key);
        let r = centinela_sync::cycle(&post, &cfg).await.unwrap();
        assert_eq!(r.list_images, n as u64, "the cycle pulls again while the centre has more");
        let img = post.list_image("interpol-rojas", "2024/7").await.unwrap().unwrap();
        assert_eq!((img.mime.as_str(), img.bytes), ("image/jpeg", jpeg(7, 207)));
        let audit = centre.audit().await;
        let pulled: Vec<_> = audit.iter().filter(|a| a.1 == "sync_list_images_pulled").collect();
        assert_eq!(pulled.len(), 2, "{pulled:?}");
        assert_eq!(pulled[0].0, "post:GTM-TECUNUMAN");

        // Withdrawn at the centre: the post's copy goes with its entry; an
        // image taken away while its entry stays goes too.
        import(&centre.store, &entries(ids.iter().skip(1).cloned())).await;
        assert!(centre.store.list_image("interpol-rojas", "2024/0").await.unwrap().is_none());
        centre.store.write_list_images("interpol-rojas", &[], &["2024/1"]).await.unwrap();
        let r = centinela_sync::cycle(&post, &cfg).await.unwrap();
        assert_eq!(r.lists_updated, [("interpol-rojas".to_string(), 2)]);
        assert!(post.list_image("interpol-rojas", "2024/0").await.unwrap().is_none(), "withdrawn");
        assert!(post.list_image("interpol-rojas", "2024/1").await.unwrap().is_none(), "taken away");
        assert!(post.list_image("interpol-rojas", "2024/2").await.unwrap().is_some());
        // Nothing new: nothing sent.
        assert_eq!(centinela_sync::cycle(&post, &cfg).await.unwrap().list_images, 0);
    }
}
