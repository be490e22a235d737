//! How a stated figure is compared with the official one: the precision it was written to
//! and the comparator it was stated with (docs/CLAIMS.md, "Precision and comparators").

use newsroom_claims::{Comparator, Figure};

/// Decimals beyond this are treated as this many: no article states more.
const MAX_DECIMALS: u8 = 12;

/// The approximate comparator's margin, as a fraction of the claimed figure.
const APPROX_MARGIN: f64 = 0.05;

/// What a figure measures, which decides how an unrounded official figure is shown and how a
/// whole number stated for it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Seats, votes, places, majorities: whole numbers.
    Count,
    /// Percentages and percentage points.
    Percent,
}

impl Unit {
    /// The official figure as the report states it: whole for counts, to 3 decimals for
    /// percentages.
    pub(crate) fn official_json(self, value: f64) -> serde_json::Value {
        let shown = match self {
            Unit::Count => value.round(),
            Unit::Percent => (value * 1000.0).round() / 1000.0,
        };
        newsroom_claims::number_json(shown)
    }
}

/// The precision a figure was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// Written with this many digits after the decimal point (0: a whole number that is not
    /// round).
    Decimals(u8),
    /// A round whole number with this many trailing zeros (at least two: `1,800`,
    /// `10,000`): it stands for the official figure rounded to the nearest 10^n.
    Magnitude(u32),
}

impl Precision {
    /// The precision of a stated figure: its decimals, or the magnitude of a round number.
    pub(crate) fn of(figure: &Figure) -> Precision {
        if figure.decimals > 0 {
            return Precision::Decimals(figure.decimals.min(MAX_DECIMALS));
        }
        let v = figure.value.abs();
        if !v.is_finite() || v.fract() != 0.0 || v == 0.0 || v >= 1e15 {
            return Precision::Decimals(0);
        }
        // A whole number below 1e15 converts to u64 exactly.
        let mut n = v as u64;
        let mut zeros = 0;
        while n > 0 && n.is_multiple_of(10) {
            n /= 10;
            zeros += 1;
        }
        if zeros >= 2 {
            Precision::Magnitude(zeros)
        } else {
            Precision::Decimals(0)
        }
    }

    /// The size of one step at this precision (0.1 for one decimal, 100 for `1,800`).
    fn step(self) -> f64 {
        match self {
            Precision::Decimals(d) => 10f64.powi(-i32::from(d)),
            Precision::Magnitude(n) => 10f64.powi(i32::try_from(n).unwrap_or(i32::MAX)),
        }
    }

    /// `value` rounded to this precision, halves away from zero. Official figures are
    /// ratios of whole numbers, so one that lies a rounding error short of a half (a swing of
    /// 1.2499999999999964 computed for 1.25) is taken as the half it stands for.
    fn round(self, value: f64) -> f64 {
        let nudge = |scaled: f64| scaled + scaled.signum() * scaled.abs().max(1.0) * 1e-9;
        match self {
            Precision::Decimals(d) => {
                let scale = 10f64.powi(i32::from(d));
                nudge(value * scale).round() / scale
            }
            Precision::Magnitude(_) => {
                let step = self.step();
                nudge(value / step).round() * step
            }
        }
    }

    /// Whether the official figure, rounded to this precision, is the claimed one.
    fn agrees(self, claimed: f64, official: f64) -> bool {
        (self.round(official) - claimed).abs() <= self.step() * 1e-6
    }

    /// The tolerance in words.
    fn describe(self, unit: Unit) -> String {
        match (self, unit) {
            (Precision::Decimals(0), Unit::Count) => "exact".to_owned(),
            (Precision::Decimals(0), Unit::Percent) => "rounded to a whole number".to_owned(),
            (Precision::Decimals(1), _) => "rounded to 1 decimal place".to_owned(),
            (Precision::Decimals(d), _) => format!("rounded to {d} decimal places"),
            (Precision::Magnitude(_), _) => {
                format!("rounded to the nearest {}", self.step())
            }
        }
    }
}

/// The result of comparing a claimed figure with an official one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    pub(crate) agrees: bool,
    /// The tolerance allowed, in words.
    pub(crate) tolerance: String,
}

/// Compares a claimed figure with the official one under the claim's comparator: `eq` at
/// the stated precision, `gt` / `lt` strictly, `approx` within 5 % of the claimed figure or
/// equal at the stated precision. A figure that is not a number never agrees.
pub(crate) fn compare(
    claimed: &Figure,
    comparator: Comparator,
    official: f64,
    unit: Unit,
) -> Comparison {
    let precision = Precision::of(claimed);
    let c = claimed.value;
    match comparator {
        Comparator::Eq => Comparison {
            agrees: precision.agrees(c, official),
            tolerance: precision.describe(unit),
        },
        Comparator::Gt => Comparison {
            agrees: official > c,
            tolerance: "strictly greater".to_owned(),
        },
        Comparator::Lt => Comparison {
            agrees: official < c,
            tolerance: "strictly less".to_owned(),
        },
        Comparator::Approx => Comparison {
            agrees: (official - c).abs() <= APPROX_MARGIN * c.abs()
                || precision.agrees(c, official),
            tolerance: format!(
                "within 5% of the claimed figure, or equal {}",
                match precision.describe(unit).as_str() {
                    "exact" => "exactly".to_owned(),
                    words => format!("when {words}"),
                }
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, decimals: u8) -> Figure {
        Figure { value, decimals }
    }

    fn eq(claimed: Figure, official: f64, unit: Unit) -> Comparison {
        compare(&claimed, Comparator::Eq, official, unit)
    }

    #[test]
    fn given_a_figure_with_decimals_when_compared_then_the_official_figure_is_rounded_to_as_many() {
        let c = eq(figure(51.5, 1), 51.491, Unit::Percent);
        assert!(c.agrees);
        assert_eq!(c.tolerance, "rounded to 1 decimal place");
        assert!(!eq(figure(51.4, 1), 51.491, Unit::Percent).agrees);
        assert!(eq(figure(51.49, 2), 51.491, Unit::Percent).agrees);
        assert!(!eq(figure(51.5, 2), 51.491, Unit::Percent).agrees);
        assert!(eq(figure(-22.5, 1), -22.504, Unit::Percent).agrees);
    }

    #[test]
    fn given_an_official_figure_a_rounding_error_short_of_a_half_then_it_rounds_as_the_half() {
        assert!(eq(figure(1.3, 1), 1.2499999999999964, Unit::Percent).agrees);
        assert!(eq(figure(-1.3, 1), -1.2499999999999964, Unit::Percent).agrees);
        assert!(!eq(figure(1.3, 1), 1.2499, Unit::Percent).agrees);
        assert!(eq(figure(1.2, 1), 1.2499, Unit::Percent).agrees);
    }

    #[test]
    fn given_a_whole_percentage_when_compared_then_it_matches_the_official_figure_rounded_to_a_whole_number(
    ) {
        let c = eq(figure(52.0, 0), 51.6, Unit::Percent);
        assert!(c.agrees);
        assert_eq!(c.tolerance, "rounded to a whole number");
        assert!(!eq(figure(51.0, 0), 51.6, Unit::Percent).agrees);
    }

    #[test]
    fn given_a_count_that_is_not_round_when_compared_then_it_must_be_exact() {
        let c = eq(figure(5028.0, 0), 5208.0, Unit::Count);
        assert!(!c.agrees);
        assert_eq!(c.tolerance, "exact");
        assert!(eq(figure(5208.0, 0), 5208.0, Unit::Count).agrees);
        assert!(!eq(figure(5210.0, 0), 5208.0, Unit::Count).agrees);
        assert!(eq(figure(0.0, 0), 0.0, Unit::Count).agrees);
        assert!(!eq(figure(0.0, 0), 1.0, Unit::Count).agrees);
    }

    #[test]
    fn given_a_round_number_when_compared_then_it_matches_the_official_figure_rounded_to_its_magnitude(
    ) {
        assert_eq!(Precision::of(&figure(1800.0, 0)), Precision::Magnitude(2));
        assert_eq!(Precision::of(&figure(10000.0, 0)), Precision::Magnitude(4));
        assert_eq!(Precision::of(&figure(-1200.0, 0)), Precision::Magnitude(2));
        assert_eq!(Precision::of(&figure(50.0, 0)), Precision::Decimals(0));
        let c = eq(figure(1800.0, 0), 1821.0, Unit::Count);
        assert!(c.agrees);
        assert_eq!(c.tolerance, "rounded to the nearest 100");
        assert!(eq(figure(10000.0, 0), 10480.0, Unit::Count).agrees);
        assert!(eq(figure(10000.0, 0), 14999.0, Unit::Count).agrees);
        assert!(!eq(figure(10000.0, 0), 15000.0, Unit::Count).agrees);
        assert!(eq(figure(2000.0, 0), 2040.0, Unit::Count).agrees);
        assert!(eq(figure(-1200.0, 0), -1187.0, Unit::Count).agrees);
        assert!(eq(figure(1800.0, 0), 1750.0, Unit::Count).agrees);
        assert!(!eq(figure(1800.0, 0), 1749.0, Unit::Count).agrees);
    }

    #[test]
    fn given_more_than_or_fewer_than_when_compared_then_the_official_figure_must_be_strictly_beyond(
    ) {
        let gt = |claimed: f64, official: f64| {
            compare(&figure(claimed, 0), Comparator::Gt, official, Unit::Count)
        };
        let lt = |claimed: f64, official: f64| {
            compare(&figure(claimed, 0), Comparator::Lt, official, Unit::Count)
        };
        assert!(gt(9000.0, 9120.0).agrees);
        assert!(!gt(9000.0, 9000.0).agrees);
        assert_eq!(gt(9000.0, 9120.0).tolerance, "strictly greater");
        assert!(lt(100.0, 99.0).agrees);
        assert!(!lt(100.0, 100.0).agrees);
        assert_eq!(lt(100.0, 99.0).tolerance, "strictly less");
    }

    #[test]
    fn given_about_when_compared_then_within_five_per_cent_or_equal_at_the_stated_precision_agrees()
    {
        let approx = |claimed: Figure, official: f64| {
            compare(&claimed, Comparator::Approx, official, Unit::Count)
        };
        assert!(approx(figure(10000.0, 0), 9641.0).agrees);
        assert!(approx(figure(1800.0, 0), 1890.0).agrees, "within 5%");
        assert!(!approx(figure(1800.0, 0), 1891.0).agrees);
        assert!(approx(figure(1800.0, 0), 1710.0).agrees, "within 5%");
        assert!(!approx(figure(1800.0, 0), 1709.0).agrees);
        assert!(approx(figure(8949.0, 0), 9396.0).agrees);
        assert!(!approx(figure(8949.0, 0), 9397.0).agrees);
        assert!(
            approx(figure(51.5, 1), 51.46).agrees,
            "equal at the stated precision"
        );
        assert!(approx(figure(0.0, 0), 0.0).agrees);
        assert!(!approx(figure(0.0, 0), 1.0).agrees);
        assert!(approx(figure(10000.0, 0), 9641.0)
            .tolerance
            .starts_with("within 5%"));
    }

    #[test]
    fn given_a_figure_that_is_not_a_number_when_compared_then_it_never_agrees() {
        for comparator in [
            Comparator::Eq,
            Comparator::Gt,
            Comparator::Lt,
            Comparator::Approx,
        ] {
            let nan = compare(&figure(f64::NAN, 0), comparator, 5.0, Unit::Count);
            assert!(!nan.agrees, "{comparator:?}");
            let huge = compare(&figure(1e300, 255), comparator, 5.0, Unit::Percent);
            assert!(
                !huge.agrees || comparator == Comparator::Lt,
                "{comparator:?}"
            );
        }
    }

    #[test]
    fn official_figures_are_whole_counts_or_percentages_to_three_decimals() {
        assert_eq!(Unit::Count.official_json(5208.0), serde_json::json!(5208));
        assert_eq!(
            Unit::Percent.official_json(51.49142),
            serde_json::json!(51.491)
        );
        assert_eq!(
            Unit::Percent.official_json(-22.5039),
            serde_json::json!(-22.504)
        );
        assert_eq!(Unit::Percent.official_json(50.0), serde_json::json!(50));
    }
}
