//! The cli tests, one binary (one link instead of one per file).

mod audit_cli;
mod cases_cli;
mod central_cli;
mod chip_cli;
mod clearances_cli;
mod connectors_cli;
mod contracts_doc;
mod crash;
mod demo_cli;
mod import_cli;
mod intel_cli;
mod lists_cli;
mod lookouts_cli;
mod mrz_cli;
mod passengers_cli;
mod rules_cli;
mod screen_cli;
mod screen_eval;
mod stats_cli;
mod support;
mod sync_cli;
mod users_cli;
