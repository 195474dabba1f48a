//! The store tests, one binary (one link instead of one per file).

mod accounts;
mod audit;
mod cases;
mod clearances;
mod common;
mod crossings;
mod faces;
mod intel;
mod list_images;
mod lists;
mod lookouts;
mod passengers;
mod pki;
mod pnr;
mod prearrival;
mod rules;
mod sessions;
mod stats;
mod sync;
mod sync_props;
