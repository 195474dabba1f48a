//! Candidate retrieval: the entry ranges a birth date allows, the walk
//! over posting lists, and the pre-ranking of the entries found.

use super::*;

impl Screener {
    /// The internal number of the entry at input position `o` (only for the
    /// few hits: a search of the date range it was filed in).
    pub(super) fn internal(&self, o: u32) -> u32 {
        let entry = &self.entries[o as usize];
        let key = match entry.birth_dates.as_slice() {
            [d] => dates::index_key(d).unwrap_or(0),
            _ => 0,
        };
        let (lo, hi) = if key == 0 { (0, self.undated) } else { self.key_range(key, key + 1) };
        let part = &self.orig[lo as usize..hi as usize];
        lo + part.partition_point(|&x| x < o) as u32
    }

    /// Internal entries with a date key in `klo..khi`.
    pub(super) fn key_range(&self, klo: u32, khi: u32) -> (u32, u32) {
        (self.date_start[self.key_index(klo)], self.date_start[self.key_index(khi)])
    }

    /// The index in `date_keys` of the first key at least `key`.
    pub(super) fn key_index(&self, key: u32) -> usize {
        let Some(y) = (key >> 10).checked_sub(self.first_year) else { return 0 };
        let Some(&a) = self.year_first.get(y as usize) else { return self.date_keys.len() };
        let b = self.year_first.get(y as usize + 1).map_or(self.date_keys.len(), |&b| b as usize);
        a as usize + self.date_keys[a as usize..b].partition_point(|&k| k < key)
    }

    /// The internal entry ranges, ascending and disjoint, among which the
    /// hits for `q` must be (see [`Screener::screen`]): all entries unless
    /// the birth-date bound applies.
    pub(super) fn date_ranges(&self, pq: &PreparedQuery, q: &Query, need: f64, s: &mut Scratch) {
        let Scratch { key_ranges: keys, ranges: out, .. } = s;
        out.clear();
        let n = self.entries.len() as u32;
        let sane = |d: &BirthDate| {
            (1..=9999).contains(&d.year)
                && d.month.is_none_or(|m| (1..=31).contains(&m))
                && d.day.is_none_or(|x| (1..=31).contains(&x))
        };
        let nat_bound = if q.nationality.is_some() { self.nat_max.max(0.0) } else { 0.0 };
        // Entries a document number agrees with are found apart (see
        // `screen_prepared`), so it does not widen the walk.
        let best_with_clash = BIAS + NAME_CAP + WEIGHTS[f::DATE_DIFFERENT] + nat_bound + WEIGHTS[f::SEX_AGREE].max(0.0);
        let Some(d) = pq.date.as_ref().filter(|d| sane(d) && best_with_clash < need) else {
            out.push((0, n));
            return;
        };
        keys.clear();
        dates::compatible_keys(d, keys);
        out.push((0, self.undated));
        for &(klo, khi) in keys.iter() {
            let r = self.key_range(klo, khi);
            if r.0 < r.1 {
                out.push(r);
            }
        }
        out.sort_unstable();
        let mut w = 0;
        for i in 0..out.len() {
            if w > 0 && out[i].0 <= out[w - 1].1 {
                out[w - 1].1 = out[w - 1].1.max(out[i].1);
            } else {
                out[w] = out[i];
                w += 1;
            }
        }
        out.truncate(w);
    }

    /// Calls `f` on the entries of key `k`'s posting list that lie in one
    /// of the ascending, disjoint `ranges`. The list is sorted; between two
    /// ranges the walk skips by the sampled postings, then reads at most
    /// [`SKIP`] postings to find the start of the next range: sequential
    /// reads, where a binary search per range would miss the cache at each
    /// step.
    #[inline]
    pub(super) fn for_each_in(&self, k: u32, ranges: &[(u32, u32)], mut f: impl FnMut(u32)) {
        let (post, skip) = (&self.post, &self.post_skip);
        let mut i = self.post_off[k as usize] as usize;
        let end = self.post_off[k as usize + 1] as usize;
        for &(lo, hi) in ranges {
            // Every posting up to a sample below `lo` is below `lo`.
            let mut s = i / SKIP + 1;
            while s * SKIP < end && skip[s] < lo {
                i = s * SKIP;
                s += 1;
            }
            while i < end && post[i] < lo {
                i += 1;
            }
            while i < end && post[i] < hi {
                f(post[i]);
                i += 1;
            }
            if i >= end {
                break;
            }
        }
    }

    /// The birth-date term of the pre-ranking of internal entry `e`, also an
    /// upper bound of its birth-date evidence: the best agreement of any of
    /// its dates, weighed as full dates (a partial date's consistency
    /// weighs at most that). 0 when either side has no date.
    #[inline]
    pub(super) fn date_bound(&self, q: Option<&BirthDate>, e: u32) -> f64 {
        let Some(q) = q else { return 0.0 };
        let f = &self.facts[e as usize];
        if f.flags & READ_DATES != 0 {
            // Several dates, or one the record does not hold: read them.
            let all = &self.entries[self.orig[e as usize] as usize].birth_dates;
            all.iter().map(|d| date_weight_bound(q, d)).reduce(f64::max).unwrap_or(0.0)
        } else {
            dates::unpack(f.date0).map_or(0.0, |d| date_weight_bound(q, &d))
        }
    }

    /// The `m` most promising entries (internal numbers) by shared keys and
    /// birth date, among the entries in `ranges`.
    pub(super) fn candidates(&self, pq: &PreparedQuery, m: usize, s: &mut Scratch) {
        let Scratch { acc, touched, cand, keys, common, rank_only, ranges, .. } = s;
        // The query's keys with their weights, deduplicated.
        keys.clear();
        rank_only.clear();
        // The share of the list the walk covers: with a birth date, the
        // entries whose date can still agree (a few per cent). A typo key
        // costs only its postings in those ranges, so a typo in a common
        // name ("MOENO" for MORENO, whose deletion keys every MORENO holds)
        // is still looked up when the date narrows the walk.
        let covered: u64 = ranges.iter().map(|&(lo, hi)| u64::from(hi - lo)).sum();
        let limit = TYPO_LIST_LIMIT as f64 * self.entries.len() as f64 / covered.max(1) as f64;
        let mut add = |k: &[u8], w: f32| {
            if let Some(&id) = self.key_map.get(k) {
                let len = (self.post_off[id as usize + 1] - self.post_off[id as usize]) as usize;
                // A typo key that many entries share says little and costs
                // much to walk: it finds no entries, but still ranks those
                // the other keys find ("LUTS" for LUIS: its key LUS is
                // every LUZ's, yet among the MORALES GARCIA found it tells
                // Luis from the others).
                let crowded = w < 1.0 && len as f64 > limit;
                let w = w * self.key_info[id as usize] + 1e-3;
                let keys = if crowded { &mut *rank_only } else { &mut *keys };
                match keys.iter_mut().find(|x| x.0 == id) {
                    Some(x) => x.1 = x.1.max(w),
                    None => keys.push((id, w)),
                }
            }
        };
        for t in &pq.toks {
            if t.text.len() > 1 {
                // A spelling the list knows well is taken as written: its
                // typo-tolerant keys are only needed for unknown spellings.
                let attested = self.key_map.get(t.code.as_slice()).is_some_and(|&k| {
                    self.code_df[k as usize] as usize >= (self.entries.len() / 100_000).max(WELL_ATTESTED)
                });
                if attested {
                    add(&t.code, 1.0);
                } else {
                    keys_of(&t.code, &mut add);
                }
            }
            if let Some((_, c)) = &t.joined {
                keys_of(c, &mut add);
            }
        }
        {
            if acc.len() < self.entries.len() {
                acc.resize(self.entries.len(), 0.0);
            }
            touched.clear();
            common.clear();
            for &(k, w) in keys.iter() {
                if (self.post_off[k as usize + 1] - self.post_off[k as usize]) as usize > self.common_limit {
                    common.push((k, w));
                    continue;
                }
                self.for_each_in(k, ranges, |e| {
                    let a = &mut acc[e as usize];
                    if *a == 0.0 {
                        touched.push(e);
                    }
                    *a += w;
                });
            }
            if !common.is_empty() {
                common.sort_by_key(|&(k, _)| self.post_off[k as usize + 1] - self.post_off[k as usize]);
                if common.len() >= 2 {
                    // Entries holding both of the two rarest common keys are
                    // candidates even when no rarer key found them (a typo in
                    // the one rare name of "Andrés Rodríguez Pérez").
                    let b1 = &self.bitsets[self.key_bits[common[0].0 as usize] as usize];
                    let b2 = &self.bitsets[self.key_bits[common[1].0 as usize] as usize];
                    for &(lo, hi) in ranges.iter() {
                        let (lo, hi) = (lo as usize, hi as usize);
                        for i in lo / 64..hi.div_ceil(64) {
                            // The bits of word i inside lo..hi.
                            let from = lo.saturating_sub(i * 64);
                            let to = (hi - i * 64).min(64);
                            let mask = (u64::MAX >> (64 - (to - from))) << from;
                            let mut both = b1[i] & b2[i] & mask;
                            while both != 0 {
                                let e = i * 64 + both.trailing_zeros() as usize;
                                both &= both - 1;
                                if acc[e] == 0.0 {
                                    acc[e] = 1e-6;
                                    touched.push(e as u32);
                                }
                            }
                        }
                    }
                }
                let mut rest = &common[..];
                if touched.len() < 64 {
                    // Too little found by rarer keys: walk the rarest common list.
                    let (k, w) = common[0];
                    self.for_each_in(k, ranges, |e| {
                        let a = &mut acc[e as usize];
                        if *a == 0.0 {
                            touched.push(e);
                        }
                        *a += w;
                    });
                    rest = &common[1..];
                }
                for &(k, w) in rest {
                    let bits = &self.bitsets[self.key_bits[k as usize] as usize];
                    for &e in touched.iter() {
                        if bits[e as usize / 64] & (1 << (e % 64)) != 0 {
                            acc[e as usize] += w;
                        }
                    }
                }
            }
            for &(k, w) in rank_only.iter() {
                if keys.iter().any(|x| x.0 == k) {
                    continue;
                }
                match self.key_bits[k as usize] {
                    NONE => self.for_each_in(k, ranges, |e| {
                        let a = &mut acc[e as usize];
                        if *a != 0.0 {
                            *a += w;
                        }
                    }),
                    b => {
                        let bits = &self.bitsets[b as usize];
                        for &e in touched.iter() {
                            if bits[e as usize / 64] & (1 << (e % 64)) != 0 {
                                acc[e as usize] += w;
                            }
                        }
                    }
                }
            }
            cand.clear();
            let qd = dates::unpack(pq.date_packed);
            // Entries sharing much less than the best do are not candidates.
            let best = touched.iter().fold(0f32, |m, &e| m.max(acc[e as usize]));
            let floor = best * KEEP_FRACTION;
            for &e in touched.iter() {
                let mut v = acc[e as usize];
                acc[e as usize] = 0.0;
                if v < floor {
                    continue;
                }
                v += self.date_bound(qd.as_ref(), e) as f32;
                cand.push((v, e));
            }
            if cand.len() > m {
                cand.select_nth_unstable_by(m, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                cand.truncate(m);
            }
        }
    }
}
