//! Two-party (Butler) swing between two elections: the mean of one party's gain in share
//! and the other's loss, in percentage points.

use crate::area::Area;
use crate::model::{ConstituencyResult, ElectionResults, PartyCode};

/// ((to now − to before) − (from now − from before)) / 2, from four shares in percent; a
/// party that did not stand counts as 0. `None` if neither party stood either time.
fn butler(
    to_now: Option<f64>,
    to_before: Option<f64>,
    from_now: Option<f64>,
    from_before: Option<f64>,
) -> Option<f64> {
    if [to_now, to_before, from_now, from_before]
        .iter()
        .all(Option::is_none)
    {
        return None;
    }
    let s = |share: Option<f64>| share.unwrap_or(0.0);
    Some(((s(to_now) - s(to_before)) - (s(from_now) - s(from_before))) / 2.0)
}

/// The Butler swing from `from` to `to` in one constituency between an earlier result
/// (`before`) and a later one (`now`), in percentage points of the valid vote; positive
/// when the swing is towards `to`. A party that did not stand counts as 0 % that time;
/// `None` if neither party stood in either election.
pub fn butler_swing(
    now: &ConstituencyResult,
    before: &ConstituencyResult,
    to: &PartyCode,
    from: &PartyCode,
) -> Option<f64> {
    butler(
        now.party_share(to),
        before.party_share(to),
        now.party_share(from),
        before.party_share(from),
    )
}

/// The Butler swing over an area, on the parties' total votes there (not the mean of the
/// constituency swings). `None` if the area has no constituency in either election, or
/// neither party stood there in either.
pub fn area_butler_swing(
    now: &ElectionResults,
    before: &ElectionResults,
    area: &Area,
    to: &PartyCode,
    from: &PartyCode,
) -> Option<f64> {
    if now.seat_count(area) == 0 || before.seat_count(area) == 0 {
        return None;
    }
    butler(
        now.party_share(area, to),
        before.party_share(area, to),
        now.party_share(area, from),
        before.party_share(area, from),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::tests::{candidate, seat};
    use crate::model::Nation;

    fn party(p: &str) -> PartyCode {
        PartyCode::new(p)
    }

    #[test]
    fn swing_is_the_mean_of_one_partys_gain_and_the_others_loss() {
        // Lab 50 → 30, SNP 20 → 50: SNP +30, Lab −20, swing 25 points Lab to SNP.
        let before = seat(
            "S14000053",
            "P",
            vec![
                candidate("A", "Lab", 50),
                candidate("B", "SNP", 20),
                candidate("C", "LD", 30),
            ],
        );
        let now = seat(
            "S14000053",
            "P",
            vec![
                candidate("A", "Lab", 30),
                candidate("B", "SNP", 50),
                candidate("C", "LD", 20),
            ],
        );
        assert_eq!(
            butler_swing(&now, &before, &party("SNP"), &party("Lab")),
            Some(25.0)
        );
        assert_eq!(
            butler_swing(&now, &before, &party("Lab"), &party("SNP")),
            Some(-25.0)
        );
    }

    #[test]
    fn a_party_that_did_not_stand_counts_as_no_share() {
        let before = seat(
            "E14000001",
            "P",
            vec![candidate("A", "Lab", 60), candidate("C", "LD", 40)],
        );
        let now = seat(
            "E14000001",
            "P",
            vec![
                candidate("A", "Lab", 50),
                candidate("B", "UKIP", 20),
                candidate("C", "LD", 30),
            ],
        );
        assert_eq!(
            butler_swing(&now, &before, &party("UKIP"), &party("Lab")),
            Some(15.0)
        );
    }

    #[test]
    fn no_swing_between_two_parties_that_never_stood() {
        let before = seat("E14000001", "P", vec![candidate("A", "Lab", 60)]);
        let now = seat("E14000001", "P", vec![candidate("A", "Lab", 50)]);
        assert_eq!(
            butler_swing(&now, &before, &party("UKIP"), &party("Green")),
            None
        );
    }

    #[test]
    fn area_swing_is_computed_on_the_areas_total_votes() {
        let before: ElectionResults = [
            seat(
                "E14000001",
                "P",
                vec![candidate("A", "Lab", 60), candidate("B", "Con", 40)],
            ),
            seat(
                "E14000002",
                "Q",
                vec![candidate("A", "Lab", 40), candidate("B", "Con", 60)],
            ),
        ]
        .into_iter()
        .collect();
        let now: ElectionResults = [
            seat(
                "E14000001",
                "P",
                vec![candidate("A", "Lab", 50), candidate("B", "Con", 50)],
            ),
            seat(
                "E14000002",
                "Q",
                vec![candidate("A", "Lab", 30), candidate("B", "Con", 70)],
            ),
        ]
        .into_iter()
        .collect();
        let swing = area_butler_swing(&now, &before, &Area::Uk, &party("Con"), &party("Lab"));
        assert_eq!(swing, Some(10.0));
        let wales = Area::Nation(Nation::Wales);
        assert_eq!(
            area_butler_swing(&now, &before, &wales, &party("Con"), &party("Lab")),
            None
        );
    }
}
