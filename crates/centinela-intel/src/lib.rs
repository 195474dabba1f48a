//! Intelligence from crossing records (`PRODUCT.md` capability 6).
//!
//! - [`data`]: the crossings in a compact column-wise form ([`Crossings`]).
//! - [`resolve`]: identity resolution — which records are one person —
//!   with blocking, an explainable pairwise score and clustering that
//!   honours analysts' merges and separations.
//! - [`graph`]: the co-travel graph (one travel party; one vehicle at one
//!   post within minutes) and shared-attribute links (phone, address,
//!   document), weighted and dated.
//! - [`detect`]: facilitators (INDICATORS N2, N4, N5, T1), rings
//!   (communities of facilitators), document reuse (N3) and contact points
//!   shared by unrelated travellers (N1). Every score carries the evidence
//!   an analyst reads; none decides anything.
//! - [`view`]: a [`Report`] — an analysis with its indices — answers
//!   what an analyst reads: a person's summary, the identity links that
//!   joined their records with their evidence, their links to others, and
//!   the network around a ring or a person.
//! - [`export`]: FollowTheMoney JSON lines and GraphML.
//! - [`eval`]: pairwise and B-cubed precision and recall against a ground
//!   truth, for the benchmarks.
//!
//! The crate does no I/O: it takes records and writes to a caller's
//! [`std::io::Write`].

pub mod data;
pub mod detect;
pub mod eval;
pub mod export;
pub mod graph;
pub mod resolve;
pub mod view;

pub use data::Crossings;
pub use detect::{DocumentReuse, Facilitator, FacilitatorWeights, Ring, SharedContact};
pub use graph::Graph;
pub use resolve::{Evidence, Link, Override, Params, Resolution, explain, resolve, score};
pub use view::{Network, PersonLink, PersonSummary, Report};

use std::time::{Duration, Instant};

/// Wall time of each phase of an analysis, in order (`--timings`, the
/// benchmarks). Measuring time is not I/O: the caller decides what to print.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Records the phase that ends now and started at `*since`; restarts the clock.
    pub fn lap(&mut self, phase: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.0.push((phase, now - *since));
        *since = now;
    }

    /// `phase 1.23 s, phase 0.45 s` in order.
    pub fn line(&self) -> String {
        self.0.iter().map(|(p, d)| format!("{p} {:.2} s", d.as_secs_f64())).collect::<Vec<_>>().join(", ")
    }
}

/// Everything the intelligence commands print, computed once.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub resolution: Resolution,
    pub graph: Graph,
    pub facilitators: Vec<Facilitator>,
    pub rings: Vec<Ring>,
    /// The resolver's phases, then `graph`, `facilitators`, `rings`.
    pub timings: Timings,
}

/// Resolves identities, builds the graph and runs the detectors.
pub fn analyse(c: &Crossings, overrides: &[Override]) -> Analysis {
    let resolution = resolve(c, &Params::default(), overrides);
    let mut timings = resolution.timings.clone();
    let mut t = Instant::now();
    let graph = Graph::build(c, &resolution);
    timings.lap("graph", &mut t);
    let facilitators = detect::facilitators(c, &resolution, &graph, &FacilitatorWeights::default());
    timings.lap("facilitators", &mut t);
    let rings = detect::rings(c, &resolution, &graph, &facilitators);
    timings.lap("rings", &mut t);
    Analysis { resolution, graph, facilitators, rings, timings }
}
