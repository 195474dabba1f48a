//! What an inspection checks against: one name-screening index over every
//! active person list (each entry remembers its list), one document index
//! per stolen/lost documents list, and the risk rules in force.

use std::sync::Arc;

use centinela_domain::{AlertEntry, ListKind};
use centinela_lists::DocumentIndex;
use centinela_names::Screener;
use centinela_rules::RuleSet;

/// A list as the pipeline names it in hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRef {
    pub name: Arc<str>,
    pub kind: ListKind,
    /// The action the list asks for on a confirmed hit.
    pub action: Arc<str>,
}

/// The lists an inspection screens against. Built once, shared read-only.
pub struct Watchlists {
    screener: Screener,
    /// The list of each screener entry, by entry index.
    entry_list: Vec<u32>,
    lists: Vec<ListRef>,
    documents: Vec<(ListRef, DocumentIndex)>,
    rules: RuleSet,
}

impl Watchlists {
    /// Builds the screening index over `persons` (each with its list) and
    /// keeps `documents`, one index per documents list.
    pub fn build(persons: Vec<(ListRef, AlertEntry)>, documents: Vec<(ListRef, DocumentIndex)>) -> Watchlists {
        let mut lists: Vec<ListRef> = Vec::new();
        let mut entry_list = Vec::with_capacity(persons.len());
        let mut entries = Vec::with_capacity(persons.len());
        for (list, entry) in persons {
            let i = match lists.iter().position(|l| l.name == list.name) {
                Some(i) => i,
                None => {
                    lists.push(list);
                    lists.len() - 1
                }
            };
            entry_list.push(i as u32);
            entries.push(entry);
        }
        Watchlists { screener: Screener::build(entries), entry_list, lists, documents, rules: RuleSet::builtin() }
    }

    /// No lists at all.
    pub fn empty() -> Watchlists {
        Watchlists::build(Vec::new(), Vec::new())
    }

    /// Replaces the risk rules (the built-in catalogue by default).
    pub fn with_rules(mut self, rules: RuleSet) -> Watchlists {
        self.rules = rules;
        self
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn screener(&self) -> &Screener {
        &self.screener
    }

    /// The list of screener entry `i`.
    pub fn list_of(&self, i: u32) -> &ListRef {
        &self.lists[self.entry_list[i as usize] as usize]
    }

    pub fn documents(&self) -> impl Iterator<Item = (&ListRef, &DocumentIndex)> {
        self.documents.iter().map(|(l, d)| (l, d))
    }

    /// Person entries and reported documents held.
    pub fn sizes(&self) -> (usize, usize) {
        (self.screener.len(), self.documents.iter().map(|(_, d)| d.len()).sum())
    }
}
