//! The trafficking cases' export in the HTCDS 2.0 shapes, the same from the
//! API, the web and the command line: every case with its sections as
//! JSON, or one CSV per table with the standard's column names. Audited
//! (`cases_exported`, counts only).

use centinela_domain::htcds::{self, ExportCase};
use centinela_store::StoredCase;

use crate::{App, AppError, Caller};

/// The CSV tables of an export, in order.
pub const TABLES: [&str; 5] = ["cases", "perpetrators", "events", "support_plans", "comments"];

/// Every case as it stands when the export was asked for.
pub struct CaseExport {
    cases: Vec<StoredCase>,
}

impl CaseExport {
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    fn rows(&self) -> Vec<ExportCase<'_>> {
        self.cases
            .iter()
            .map(|c| ExportCase {
                case_id: c.id,
                version: c.version,
                opened_at: &c.opened_at,
                updated_at: &c.updated_at,
                record: &c.record,
            })
            .collect()
    }

    /// An array of `{case_id, version, opened_at, updated_at, record}`.
    pub fn json(&self, pretty: bool) -> Result<String, AppError> {
        let rows = self.rows();
        let out = if pretty { serde_json::to_string_pretty(&rows) } else { serde_json::to_string(&rows) };
        out.map_err(AppError::internal)
    }

    /// Every table as CSV (CRLF line ends, formulas defused), by name.
    pub fn csv_tables(&self) -> Vec<(String, String)> {
        htcds::export_rows(&self.rows())
            .into_iter()
            .map(|(name, header, data)| {
                let mut out = htcds::csv_line(&header);
                out.push_str("\r\n");
                for r in &data {
                    out.push_str(&htcds::csv_line(r));
                    out.push_str("\r\n");
                }
                (name.to_string(), out)
            })
            .collect()
    }
}

impl App {
    /// Reads every case for an export, audited as `cases_exported` with the
    /// count and `detail` (format, table, destination: never content).
    pub async fn export_cases(&self, caller: Caller<'_>, detail: serde_json::Value) -> Result<CaseExport, AppError> {
        let cases = self.store().all_cases().await?;
        let mut d = serde_json::json!({ "cases": cases.len() });
        if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), detail) {
            d.extend(extra);
        }
        self.audit(caller, "cases_exported", "cases", d).await?;
        Ok(CaseExport { cases })
    }
}
