//! Migration 0026: the notices' thumbnails. Checked when stored (JPEG or
//! PNG by magic bytes, bounded), kept while the version in force holds their
//! entry, sent to posts after a mark; a post refuses what does not match
//! its hash and still moves its mark. On SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::stores;
use centinela_domain::{AlertEntry, ListKind};
use centinela_store::{ListImageDelta, ListRows, NewListImage, NewVersion, Store, StoreError, SyncedListImage};

async fn import(store: &Store, ids: &[&str]) {
    let rows = ListRows::Entries(
        ids.iter()
            .map(|id| AlertEntry {
                id: (*id).into(),
                given_names: "A".into(),
                surnames: "B".into(),
                ..Default::default()
            })
            .collect(),
    );
    let nv = NewVersion {
        list: "rojas",
        kind: ListKind::Wanted,
        source: None,
        file_name: "t",
        format: "interpol",
        rows_read: ids.len() as u64,
        rows_skipped: 0,
        keep_old_versions: false,
    };
    store.import_version(&nv, &rows).await.unwrap();
}

#[tokio::test]
async fn images_are_checked_kept_with_their_entry_and_refused_when_forged() {
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let jpeg = [0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 3];
    for (store, _dir) in stores().await {
        import(&store, &["a", "b"]).await;
        for bad in [&b"<html>"[..], &[][..], &vec![0xFF; 300 * 1024][..]] {
            let put = [NewListImage { entry_id: "a", bytes: bad }];
            assert!(matches!(store.write_list_images("rojas", &put, &[]).await, Err(StoreError::Invalid(_))));
        }
        let put = [NewListImage { entry_id: "a", bytes: &png }, NewListImage { entry_id: "b", bytes: &jpeg }];
        assert_eq!(store.write_list_images("rojas", &put, &[]).await.unwrap().stored, 2);
        assert_eq!(store.list_image("rojas", "a").await.unwrap().unwrap().mime, "image/png");
        assert_eq!(store.list_images_held("rojas").await.unwrap().len(), 2);
        // The next version without "a": its image goes at the switch.
        import(&store, &["b", "c"]).await;
        assert!(store.list_image("rojas", "a").await.unwrap().is_none());
        assert!(store.list_image("rojas", "b").await.unwrap().is_some());

        // At a post: a forged image (hash), one that is no image, a bad
        // base64 are skipped; the good one and a tombstone are applied, and
        // the mark moves past them all.
        let sent = store.list_images_since(0).await.unwrap();
        let good = sent.images.iter().find(|i| i.entry_id == "b").unwrap().clone();
        let mut forged = good.clone();
        forged.entry_id = "c".into();
        forged.sha256 = "00".repeat(32);
        let html = SyncedListImage { seq: good.seq + 1, entry_id: "d".into(), data: "PGh0bWw+".into(), ..good.clone() };
        let junk = SyncedListImage { seq: good.seq + 2, entry_id: "e".into(), data: "%%%".into(), ..good.clone() };
        let gone = SyncedListImage {
            seq: good.seq + 3,
            entry_id: "f".into(),
            mime: String::new(),
            sha256: String::new(),
            data: String::new(),
            ..good.clone()
        };
        let dir = tempfile::tempdir().unwrap();
        let post = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
        let delta = ListImageDelta { images: vec![good, forged, html, junk, gone.clone()], more: false };
        let done = post.apply_list_images(&delta).await.unwrap();
        assert_eq!((done.stored, done.skipped, done.removed), (1, 3, 1));
        assert_eq!(post.list_images_mark().await.unwrap(), gone.seq);
        assert_eq!(post.list_image("rojas", "b").await.unwrap().unwrap().bytes, jpeg);
        assert!(post.list_image("rojas", "c").await.unwrap().is_none());
    }
}
