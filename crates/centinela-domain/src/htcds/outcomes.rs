//! What a case counts for in the statistics.

use serde::Serialize;

use super::{CaseRecord, HistoricEvent};

/// What a case counts for in the statistics: HTCDS 2.0 has no fields named
/// "identified", "assisted", "prosecuted" or "repatriated", so they are
/// derived from the latest version of the record:
///
/// - **identified**: `vic_TraffickingStatus` is `PossibleVictimOfTrafficking`
///   or `ActualVictimOfTrafficking`. The other three count identified
///   victims only.
/// - **assisted**: at least one support plan (`spl_Type`) is recorded.
/// - **prosecuted**: at least one perpetrator is recorded and the trafficking
///   status was decided by a court or prosecutor
///   (`vic_TraffickingStatusDecisionMakingOrg` = `CourtOrProsecution`).
/// - **repatriated**: the case was referred on because the person moved
///   (`cas_ReasonForOutgoingReferral` = `MigrationOrChangeOfLocation`), or a
///   `Transit` historic event into a country of the person's citizenship is
///   dated on or after the latest `Exploitation` event (the way home).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseOutcomes {
    pub identified: bool,
    pub assisted: bool,
    pub prosecuted: bool,
    pub repatriated: bool,
}

/// The type of exploitation a victim is counted under: the one type
/// recorded, `Multiple` for several, empty for none.
pub const MULTIPLE_EXPLOITATION: &str = "Multiple";

impl CaseRecord {
    /// The derivations of [`CaseOutcomes`].
    pub fn outcomes(&self) -> CaseOutcomes {
        let v = &self.victim;
        let identified =
            matches!(v.trafficking_status.as_str(), "PossibleVictimOfTrafficking" | "ActualVictimOfTrafficking");
        if !identified {
            return CaseOutcomes::default();
        }
        let prosecuted =
            !self.perpetrators.is_empty() && v.trafficking_status_decision_making_org == "CourtOrProsecution";
        let last_exploitation = self.events.iter().filter(|e| e.kind == "Exploitation").map(|e| e.date.as_str()).max();
        let home = |e: &HistoricEvent| {
            e.kind == "Transit"
                && !e.country.is_empty()
                && self.person.citizenship.contains(&e.country)
                && last_exploitation.is_some_and(|x| !e.date.is_empty() && e.date.as_str() >= x)
        };
        let repatriated =
            self.case.reason_for_outgoing_referral == "MigrationOrChangeOfLocation" || self.events.iter().any(home);
        CaseOutcomes { identified, assisted: !self.support_plans.is_empty(), prosecuted, repatriated }
    }

    /// The type of exploitation the victim is counted under (see
    /// [`MULTIPLE_EXPLOITATION`]).
    pub fn exploitation(&self) -> &str {
        match self.victim.type_of_exploitation.as_slice() {
            [] => "",
            [one] => one,
            _ => MULTIPLE_EXPLOITATION,
        }
    }

    /// `F`, `M` or empty, from `prs_Gender`.
    pub fn sex(&self) -> &'static str {
        match self.person.gender.as_str() {
            "Feminine" | "TransgenderFeminine" => "F",
            "Masculine" | "TransgenderMasculine" => "M",
            _ => "",
        }
    }

    /// The victim's age in whole years: `vic_AgeWhenTrafficked`, else from
    /// `prs_Birthdate` on `day` (`YYYY-MM-DD`); `None` when neither is known.
    pub fn age_on(&self, day: &str) -> Option<u32> {
        if let Some(a) = self.victim.age_when_trafficked {
            return Some(a);
        }
        let b = self.person.birthdate.as_str();
        let (by, dy): (i32, i32) = (b.get(..4)?.parse().ok()?, day.get(..4)?.parse().ok()?);
        let before = day.get(5..10)? < b.get(5..10)?;
        u32::try_from(dy - by - i32::from(before)).ok()
    }
}
