//! Black-box tests of the HTTP API: each test spawns the server on
//! 127.0.0.1:0 with a fresh database — SQLite always, PostgreSQL too when
//! `CENTINELA_TEST_PG` holds a URL (`scripts/pg-test-server` starts one) —
//! and talks to it with reqwest.

mod accounts;
mod audit;
mod bookings;
mod cases;
mod chip;
mod clearance_sync;
mod clearances;
mod errors;
mod flights;
mod helpers;
mod inspections;
mod intel;
mod lookouts;
mod matrix;
mod passengers;
mod rules;
mod session;
mod sync;
mod system;
mod threshold;
mod thumbnails;
