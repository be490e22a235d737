//! Reconciliation: judges each extracted claim against the official tallies and says why.
//! It owns the verdict rules of docs/CLAIMS.md: which official figure each kind of claim is
//! compared with, how precisely a stated figure must agree under its comparator, and when a
//! claim is unverifiable (the official data hold no such figure), pending (its results are
//! not all declared yet) or ambiguous. Pure and total: [`check`] reads a claim and the
//! tallies and returns a check report, never an error, never a panic.

mod figures;
mod lookup;
mod outcome;
mod precision;

use newsroom_claims::{CheckReport, Claim, Claimed, Evidence, EvidenceRow, Kind, Verdict};
use newsroom_tally::{Area, Tallies, Year};

use crate::lookup::Gap;

/// Judges one claim against the official results known so far.
///
/// The report carries the official figure compared with (a number, rounded to 3 decimals
/// for percentages; the winner's party or `won` / `lost` for an outcome; null when there is
/// none), the verdict, and the evidence: the rule, the tolerance, the official rows used,
/// a note (which definition matched, why a claim is unverifiable, pending or ambiguous) and
/// the tally version judged on.
pub fn check(claim: &Claim, tallies: &Tallies) -> CheckReport {
    let judged = match claim.kind {
        Kind::Outcome => outcome::judge(claim, tallies),
        _ => judge_number(claim, tallies),
    };
    judged.into_report(claim, tallies)
}

/// The area a place name means for a claim about `year`, exactly as [`check`] reads it: in
/// the election's declared results, or while they are incomplete in the list they are
/// expected to end with; `None` when the election has no results yet or the name no area.
/// A follower of the tallies uses it to know which declarations bear on an area's claims.
pub fn resolve_area(tallies: &Tallies, year: Year, name: &str) -> Option<Area> {
    lookup::area(tallies, year, name).ok()
}

/// Whether the election is still being declared, as [`check`] sees it: some results are
/// known and fewer than the expected list (the previous election's) holds. While it is, an
/// undeclared seat of the expected list is pending rather than unverifiable.
pub fn awaiting_results(tallies: &Tallies, year: Year) -> bool {
    lookup::expected_list(tallies, year).is_some()
}

/// A judgement before it becomes a report.
struct Judged {
    official: serde_json::Value,
    verdict: Verdict,
    rule: String,
    tolerance: Option<String>,
    rows: Vec<EvidenceRow>,
    notes: Vec<String>,
}

impl Judged {
    /// No official figure to compare with.
    fn gap(rule: String, gap: Gap) -> Judged {
        let (verdict, note) = match gap {
            Gap::Unverifiable(note) => (Verdict::Unverifiable, note),
            Gap::Pending(note) => (Verdict::Pending, note),
        };
        Judged {
            official: serde_json::Value::Null,
            verdict,
            rule,
            tolerance: None,
            rows: Vec::new(),
            notes: vec![note],
        }
    }

    /// The report; a claim read with an ambiguity is ambiguous whatever the figures say.
    fn into_report(mut self, claim: &Claim, tallies: &Tallies) -> CheckReport {
        if let Some(ambiguity) = &claim.ambiguity {
            self.notes
                .insert(0, format!("ambiguous reading: {ambiguity}"));
            self.verdict = Verdict::Ambiguous;
        }
        let note = (!self.notes.is_empty()).then(|| self.notes.join("; "));
        let evidence = Evidence {
            rule: self.rule,
            tolerance: self.tolerance,
            rows: self.rows,
            note,
            tally_version: Some(tallies.version()),
        };
        CheckReport::new(claim, self.official, self.verdict, evidence)
    }
}

fn verdict(agrees: bool) -> Verdict {
    if agrees {
        Verdict::Accurate
    } else {
        Verdict::Inaccurate
    }
}

/// Judges a claim that states a number: the official figure under the kind's rule, then the
/// comparison at the stated precision. Where the figure has two official definitions
/// (turnout), either may agree; the note says which did.
fn judge_number(claim: &Claim, tallies: &Tallies) -> Judged {
    let numeric = figures::numeric(claim, tallies);
    let Claimed::Number(figure) = &claim.claimed else {
        return Judged::gap(
            numeric.rule,
            Gap::Unverifiable(format!(
                "a {} claim states a number, and this one states none",
                claim.kind
            )),
        );
    };
    let measure = match numeric.measure {
        Ok(m) => m,
        Err(gap) => return Judged::gap(numeric.rule, gap),
    };
    let mut notes = measure.notes;
    let compared: Vec<_> = measure
        .readings
        .iter()
        .map(|r| {
            (
                r,
                precision::compare(figure, claim.comparator, r.value, numeric.unit),
            )
        })
        .collect();
    let chosen = compared
        .iter()
        .find(|(_, c)| c.agrees)
        .or_else(|| compared.first());
    let Some((reading, comparison)) = chosen else {
        return Judged::gap(
            numeric.rule,
            Gap::Unverifiable("the official data give no figure".to_owned()),
        );
    };
    if compared.len() > 1 {
        let all = compared
            .iter()
            .map(|(r, _)| {
                format!(
                    "{} on {}",
                    numeric.unit.official_json(r.value),
                    r.definition.unwrap_or("the official definition")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        notes.push(if comparison.agrees {
            format!(
                "matched on {} ({all})",
                reading.definition.unwrap_or("the official definition")
            )
        } else {
            format!("matched on neither definition ({all})")
        });
    }
    Judged {
        official: numeric.unit.official_json(reading.value),
        verdict: verdict(comparison.agrees),
        rule: numeric.rule,
        tolerance: Some(comparison.tolerance.clone()),
        rows: measure.rows,
        notes,
    }
}

#[cfg(test)]
mod tests;
