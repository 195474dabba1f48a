//! Alert lists flow from the centre to the posts: the centre answers the
//! entries added and removed since the versions a post holds, and the post
//! installs them under the centre's version number.

use super::*;

impl Store {
    /// For each active list here, what a post holding `held` needs: nothing
    /// when it is current, else the entries added and removed since its
    /// version (or the whole version when its version's rows are gone).
    pub async fn list_deltas(&self, held: &BTreeMap<String, i64>) -> Result<Vec<ListDelta>, StoreError> {
        let mut out = Vec::new();
        for list in self.lists().await? {
            let Some(version) = list.version else { continue };
            if !list.active {
                continue;
            }
            let from = held.get(&list.name).copied();
            if from == Some(version) {
                continue;
            }
            let Some((kind, current)) = self.version_rows(&list.name, version).await? else {
                continue;
            };
            let old = match from {
                Some(v) if v < version => self.version_rows(&list.name, v).await?,
                _ => None,
            };
            let mut d = ListDelta {
                name: list.name.clone(),
                kind,
                source: list.source.clone(),
                from_version: from,
                version,
                full: old.is_none(),
                entries_added: Vec::new(),
                entries_removed: Vec::new(),
                documents_added: Vec::new(),
                documents_removed: Vec::new(),
            };
            match (current, old) {
                (ListRows::Entries(cur), None) => d.entries_added = cur,
                (ListRows::Documents(cur), None) => d.documents_added = cur,
                (ListRows::Entries(cur), Some((_, ListRows::Entries(old)))) => {
                    let old: HashMap<&str, &AlertEntry> = old.iter().map(|e| (e.id.as_str(), e)).collect();
                    let cur_by_id: HashMap<&str, &AlertEntry> = cur.iter().map(|e| (e.id.as_str(), e)).collect();
                    // Gone or changed: removed (a changed entry comes back as added).
                    for (id, e) in &old {
                        if cur_by_id.get(id) != Some(e) {
                            d.entries_removed.push((*id).to_string());
                        }
                    }
                    d.entries_removed.sort();
                    d.entries_added = cur.into_iter().filter(|c| old.get(c.id.as_str()) != Some(&c)).collect();
                }
                (ListRows::Documents(cur), Some((_, ListRows::Documents(old)))) => {
                    let cur_set: HashSet<DocKey> = cur.iter().map(doc_key).collect();
                    let old_set: HashSet<DocKey> = old.iter().map(doc_key).collect();
                    d.documents_removed = old.into_iter().filter(|o| !cur_set.contains(&doc_key(o))).collect();
                    d.documents_added = cur.into_iter().filter(|c| !old_set.contains(&doc_key(c))).collect();
                }
                (cur, Some(_)) => {
                    d.full = true;
                    match cur {
                        ListRows::Entries(c) => d.entries_added = c,
                        ListRows::Documents(c) => d.documents_added = c,
                    }
                }
            }
            out.push(d);
        }
        Ok(out)
    }

    /// Installs the centre's version of a list from a delta, under the
    /// centre's version number, all or nothing. A delta that does not start
    /// from the version held here is refused (the next pull sends another).
    pub async fn apply_list_delta(&self, d: &ListDelta) -> Result<usize, StoreError> {
        let held = self.held_list_versions().await?.get(&d.name).copied();
        let rows = if d.full {
            if d.kind == ListKind::Documents {
                ListRows::Documents(d.documents_added.clone())
            } else {
                ListRows::Entries(d.entries_added.clone())
            }
        } else {
            if held != d.from_version {
                return Err(StoreError::Conflict(format!(
                    "list '{}': the delta starts from version {:?}, this post holds {:?}",
                    d.name, d.from_version, held
                )));
            }
            let base = match held {
                Some(v) => self.version_rows(&d.name, v).await?,
                None => None,
            };
            match base {
                Some((_, ListRows::Entries(old))) => {
                    let removed: HashSet<&str> = d.entries_removed.iter().map(String::as_str).collect();
                    let mut rows: Vec<AlertEntry> =
                        old.into_iter().filter(|e| !removed.contains(e.id.as_str())).collect();
                    rows.extend(d.entries_added.iter().cloned());
                    ListRows::Entries(rows)
                }
                Some((_, ListRows::Documents(old))) => {
                    let removed: HashSet<DocKey> = d.documents_removed.iter().map(doc_key).collect();
                    let mut rows: Vec<DocumentRecord> =
                        old.into_iter().filter(|r| !removed.contains(&doc_key(r))).collect();
                    rows.extend(d.documents_added.iter().cloned());
                    ListRows::Documents(rows)
                }
                None => {
                    return Err(StoreError::Conflict(format!(
                        "list '{}': version {:?} is not stored here",
                        d.name, d.from_version
                    )));
                }
            }
        };
        let n = rows.len();
        let v = NewVersion {
            list: &d.name,
            kind: d.kind,
            source: Some(&d.source),
            file_name: "sync",
            format: "sync",
            rows_read: n as u64,
            rows_skipped: 0,
            keep_old_versions: false,
        };
        self.write_version(&v, &rows, Some(d.version), &mut |_| Box::pin(async {})).await?;
        Ok(n)
    }

    /// The freshness of the active lists named in `names` (the lists a post
    /// holds or is being sent).
    pub async fn list_freshness(&self, names: &HashSet<&str>) -> Result<Vec<ListFreshness>, StoreError> {
        Ok(self
            .lists()
            .await?
            .into_iter()
            .filter(|l| l.active && names.contains(l.name.as_str()))
            .map(|l| ListFreshness { name: l.name, refreshed_at: l.refreshed_at, max_age_hours: l.max_age_hours })
            .collect())
    }

    /// At a post: takes the centre's freshness of the lists held here (a
    /// time that does not read as RFC 3339, or a negative age, is skipped).
    /// The number of lists updated.
    pub async fn apply_list_freshness(&self, all: &[ListFreshness]) -> Result<u64, StoreError> {
        let mut n = 0;
        for f in all.iter().take(1_000) {
            if f.refreshed_at.as_deref().is_some_and(|t| Timestamp::parse(t).is_err())
                || f.max_age_hours.is_some_and(|h| !(1..=24 * 365).contains(&h))
            {
                continue;
            }
            n += on_pool!(self, p => sqlx::query(
                "UPDATE alert_lists SET refreshed_at = $1, max_age_hours = $2 WHERE name = $3",
            )
            .bind(&f.refreshed_at)
            .bind(f.max_age_hours)
            .bind(&f.name)
            .execute(p)
            .await?
            .rows_affected());
        }
        Ok(n)
    }
}
