//! The web interface, black-box: the role matrix of the pages over HTTP
//! (`matrix`), and end-to-end runs in Debian's chromium through
//! chromedriver (`browser`).

mod accounts;
mod audit_log;
mod bookings;
mod booth;
mod browser;
mod chip;
mod clearances;
mod connectors;
mod flights;
mod helpers;
mod language;
mod local_time;
mod lookouts;
mod matrix;
mod thumbnails;
mod work;
