//! What changed between two versions of a case record, field by field, as
//! the case page's history shows it ("Nombre: Yesenia → Yessenia"). Fields
//! are named by their HTCDS field name within their section
//! (`person.prs_FirstName`, `perpetrators.2.per_RoleInProcess`); a value is
//! shown as the export writes it (multiple choices joined by ", "). The
//! comments are not compared here: they are only ever added, and the page
//! lists each with its author and time.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::CaseRecord;

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `section.field` or `section.N.field` (N counts from 1).
    pub field: String,
    /// The HTCDS field name alone (`prs_FirstName`), for its label.
    pub key: String,
    /// The section's key (`person`, `perpetrators` …).
    pub section: String,
    /// The entry of a repeated section (from 1), if any.
    pub entry: Option<usize>,
    /// As it was ("" when empty).
    pub before: String,
    /// As it is ("" when empty).
    pub after: String,
}

/// The fields that differ from `before` to `after`: by section in the
/// record's order, then entry, then field name.
pub fn changes(before: &CaseRecord, after: &CaseRecord) -> Vec<FieldChange> {
    let (a, b) = (flatten(before), flatten(after));
    let mut keys: Vec<&(usize, String)> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(k).map_or("", |(_, v)| v), b.get(k).map_or("", |(_, v)| v));
            (x != y).then(|| {
                let meta = a.get(k).or_else(|| b.get(k)).map(|(m, _)| m.clone()).unwrap_or_default();
                FieldChange {
                    field: k.1.clone(),
                    key: meta.key,
                    section: meta.section,
                    entry: meta.entry,
                    before: x.to_owned(),
                    after: y.to_owned(),
                }
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
struct Meta {
    key: String,
    section: String,
    entry: Option<usize>,
}

/// Every field of `r` with a value, keyed by its place (section order, then
/// entry) and name.
fn flatten(r: &CaseRecord) -> BTreeMap<(usize, String), (Meta, String)> {
    let mut out = BTreeMap::new();
    let Ok(Value::Object(sections)) = serde_json::to_value(r) else { return out };
    for (section, v) in sections {
        if section == "comments" {
            continue;
        }
        let mut put = |entry: Option<usize>, fields: &serde_json::Map<String, Value>| {
            for (key, value) in fields {
                let shown = shown(value);
                if shown.is_empty() {
                    continue;
                }
                let name = match entry {
                    Some(n) => format!("{section}.{n}.{key}"),
                    None => format!("{section}.{key}"),
                };
                let meta = Meta { key: key.clone(), section: section.clone(), entry };
                out.insert((rank(&meta), name), (meta, shown));
            }
        };
        match v {
            Value::Object(fields) => put(None, &fields),
            Value::Array(entries) => {
                for (i, e) in entries.iter().enumerate() {
                    if let Value::Object(fields) = e {
                        put(Some(i + 1), fields);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A field's place in the record's order: its section, then its entry.
fn rank(m: &Meta) -> usize {
    const ORDER: [&str; 7] = ["case", "person", "victim", "perpetrators", "events", "support_plans", "consent"];
    let s = ORDER.iter().position(|x| *x == m.section).unwrap_or(ORDER.len());
    s * 1_000 + m.entry.unwrap_or(0)
}

/// A value as the page shows it; "" when empty.
fn shown(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "true".into(),
        Value::Bool(false) => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(shown).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        Value::Object(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::htcds::Perpetrator;

    #[test]
    fn names_each_changed_field_in_the_record_order_and_nothing_else() {
        let mut a = CaseRecord::default();
        a.person.first_name = "Yesenia".into();
        a.person.citizenship = vec!["GTM".into()];
        a.comments = vec!["uno".into()];
        let mut b = a.clone();
        assert!(changes(&a, &b).is_empty(), "the same record");
        b.comments.push("dos".into());
        assert!(changes(&a, &b).is_empty(), "comments are not fields");
        b.person.first_name = "Yessenia".into();
        b.person.citizenship.push("MEX".into());
        b.perpetrators.push(Perpetrator { first_name: "Carlos".into(), ..Default::default() });
        b.case.status = "Closed".into();
        let c = changes(&a, &b);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields[0], "case.cas_Status", "{fields:?}");
        assert!(fields.contains(&"person.prs_FirstName"));
        let cit = c.iter().find(|c| c.key == "prs_Citizenship").unwrap();
        assert_eq!((cit.before.as_str(), cit.after.as_str()), ("GTM", "GTM, MEX"));
        let per = c.iter().find(|c| c.section == "perpetrators").unwrap();
        assert_eq!((per.entry, per.before.as_str(), per.after.as_str()), (Some(1), "", "Carlos"));
        assert_eq!(fields.last(), Some(&"perpetrators.1.prs_FirstName"));
        // Back again: the same fields, before and after swapped.
        let back = changes(&b, &a);
        assert_eq!(back.len(), c.len());
        assert!(back.iter().zip(&c).all(|(x, y)| x.field == y.field && x.before == y.after));
    }
}
