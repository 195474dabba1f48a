//! The endpoints' handlers, one module per resource. Each is listed in
//! [`crate::routes`] (who may call it) and [`crate::openapi`] (its
//! documentation).

pub mod accounts;
pub mod audit;
pub mod bookings;
pub mod cases;
pub mod clearances;
pub mod docs;
pub mod flights;
pub mod health;
pub mod inspections;
pub mod intel;
pub mod lists;
pub mod lookouts;
pub mod passengers;
pub mod pki;
pub mod rules;
pub mod session;
pub mod stats;
pub mod sync;
pub mod threshold;
pub mod users;
