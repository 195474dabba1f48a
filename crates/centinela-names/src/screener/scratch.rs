//! Per-thread working memory of a query and the per-query cache of token
//! similarities.

use super::*;

/// Per-thread working memory of a query, kept between queries so that
/// screening allocates (almost) nothing but its answer.
pub(super) struct Scratch {
    /// Shared-key weight of every entry (0 when untouched; reset after use).
    pub(super) acc: Vec<f32>,
    pub(super) touched: Vec<u32>,
    pub(super) cand: Vec<(f32, u32)>,
    pub(super) keys: Vec<(u32, f32)>,
    pub(super) common: Vec<(u32, f32)>,
    /// Typo keys too crowded to find entries, which still rank those found.
    pub(super) rank_only: Vec<(u32, f32)>,
    pub(super) key_ranges: Vec<(u32, u32)>,
    pub(super) ranges: Vec<(u32, u32)>,
    pub(super) scored: Vec<(f64, u32)>,
    /// Internal entries listing a number that agrees with the query's.
    pub(super) doc_cand: Vec<u32>,
    pub(super) pairs: PairCache,
}

thread_local! {
    pub(super) static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            acc: Vec::new(),
            touched: Vec::new(),
            cand: Vec::new(),
            keys: Vec::new(),
            common: Vec::new(),
            rank_only: Vec::new(),
            key_ranges: Vec::new(),
            ranges: Vec::new(),
            scored: Vec::new(),
            doc_cand: Vec::new(),
            pairs: PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() },
        })
    };
}

/// Similarities of the current query's tokens to listed tokens: the
/// candidates of one query are mostly namesakes holding the same tokens, so
/// each pair is compared once per query. Open addressing; a slot belongs to
/// the current query when its `query` stamp is the cache's.
pub(super) struct PairCache {
    pub(super) query: u32,
    pub(super) slots: Vec<PairSlot>,
    /// Room for two names written together and their phonetic code.
    pub(super) cat: Vec<u8>,
    pub(super) code: Vec<u8>,
}

#[derive(Clone, Copy)]
pub(super) struct PairSlot {
    pub(super) query: u32,
    pub(super) qi: u32,
    pub(super) tok: u32,
    pub(super) joined: u32,
    pub(super) sim: f32,
    pub(super) kind: TokenMatch,
}

pub(super) const PAIR_SLOTS: usize = 1024;
pub(super) const PAIR_PROBES: usize = 8;

impl PairCache {
    /// Forgets the previous query's pairs.
    pub(super) fn next_query(&mut self) {
        if self.slots.is_empty() {
            let empty = PairSlot { query: 0, qi: 0, tok: 0, joined: 0, sim: 0.0, kind: TokenMatch::Exact };
            self.slots = vec![empty; PAIR_SLOTS];
        }
        self.query = self.query.wrapping_add(1);
        if self.query == 0 {
            self.slots.iter_mut().for_each(|s| s.query = 0);
            self.query = 1;
        }
    }

    /// The cached similarity of query token `qi` and a listed token, or
    /// `compute`'s (remembered if there is room).
    #[inline]
    pub(super) fn get(
        &mut self,
        qi: u32,
        tok: u32,
        joined: u32,
        compute: impl FnOnce() -> (f32, TokenMatch),
    ) -> (f32, TokenMatch) {
        let h =
            (tok.wrapping_mul(0x9E37_79B1) ^ joined.wrapping_mul(0x85EB_CA77) ^ qi.wrapping_mul(0xC2B2_AE3D)) as usize;
        for p in 0..PAIR_PROBES {
            let slot = &mut self.slots[(h + p) % PAIR_SLOTS];
            if slot.query != self.query {
                let (sim, kind) = compute();
                *slot = PairSlot { query: self.query, qi, tok, joined, sim, kind };
                return (sim, kind);
            }
            if slot.qi == qi && slot.tok == tok && slot.joined == joined {
                return (slot.sim, slot.kind);
            }
        }
        compute()
    }
}
