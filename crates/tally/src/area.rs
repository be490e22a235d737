//! Areas a claim can be about: the UK, a nation, an official region or county, or a city
//! whose name the constituencies carry ("Glasgow" for the "Glasgow ..." seats).

use std::collections::BTreeSet;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{ConstituencyResult, ElectionResults, Nation};
use crate::text::{clean_text, eq_ignore_case, strip_prefix_ignore_case};

/// A set of constituencies named by a place.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Area {
    Uk,
    Nation(Nation),
    /// An official region (`Region name`: "London", "North West", also "Scotland").
    Region(String),
    /// An official county (`County name`: "Greater Manchester", "Dorset").
    County(String),
    /// The constituencies whose name starts with the city's name followed by a space, a
    /// comma or nothing ("Glasgow Central", "Birmingham, Edgbaston").
    City(String),
}

impl Area {
    /// Whether the constituency lies in the area. Region, county and city names are
    /// compared case-insensitively.
    pub fn contains(&self, c: &ConstituencyResult) -> bool {
        match self {
            Area::Uk => true,
            Area::Nation(n) => c.nation == *n,
            Area::Region(r) => eq_ignore_case(&c.region, r),
            Area::County(county) => eq_ignore_case(&c.county, county),
            Area::City(city) => city_covers(city, &c.name),
        }
    }

    /// The area's name as the check report spells it: `UK`, `England`, `Scotland`, `Wales`,
    /// `Northern Ireland`, or the region, county or city name.
    pub fn name(&self) -> String {
        match self {
            Area::Uk => "UK".to_owned(),
            Area::Nation(n) => n.name().to_owned(),
            Area::Region(s) | Area::County(s) | Area::City(s) => s.clone(),
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

fn city_covers(city: &str, constituency: &str) -> bool {
    !city.is_empty()
        && strip_prefix_ignore_case(constituency, city)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',']))
}

/// Words that mark a part of a city in a constituency's name ("Glasgow North East").
const COMPASS: [&str; 7] = [
    "North", "South", "East", "West", "Central", "Outer", "Inner",
];

/// The city a constituency's name points to, if its name has the form "City, Part" or
/// "City North", "City South West", "City Central" ...
fn city_in_name(name: &str) -> Option<&str> {
    if let Some((city, _)) = name.split_once(',') {
        let city = city.trim_end();
        return (!city.is_empty()).then_some(city);
    }
    let mut rest = name;
    let mut stripped = 0;
    while stripped < 2 {
        let Some((head, last)) = rest.rsplit_once(' ') else {
            break;
        };
        if !COMPASS.contains(&last) {
            break;
        }
        rest = head;
        stripped += 1;
    }
    (stripped > 0).then_some(rest)
}

const UK_NAMES: [&str; 5] = ["UK", "U.K.", "United Kingdom", "Britain", "Great Britain"];

impl ElectionResults {
    /// The official region names occurring in the results.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.constituencies().map(|c| c.region.as_str()).collect()
    }

    /// The official county names occurring in the results.
    pub fn counties(&self) -> BTreeSet<&str> {
        self.constituencies().map(|c| c.county.as_str()).collect()
    }

    /// The cities the constituencies' names carry: a name's part before a comma, or before
    /// a trailing compass word ("North", "South West", "Central"), that starts the names of
    /// at least two constituencies ("Glasgow", "Birmingham", "Kingston upon Hull").
    pub fn cities(&self) -> BTreeSet<&str> {
        let named: BTreeSet<&str> = self
            .constituencies()
            .filter_map(|c| city_in_name(&c.name))
            .collect();
        named
            .into_iter()
            .filter(|city| self.city_seat_count(city) >= 2)
            .collect()
    }

    fn city_seat_count(&self, city: &str) -> usize {
        self.constituencies()
            .filter(|c| city_covers(city, &c.name))
            .count()
    }

    /// The area a place name means, looked up among the nations, then the official region
    /// names, the official county names and the cities in these results (see
    /// [`cities`](Self::cities)); case-insensitive, a leading "the" is ignored, and the
    /// area carries the official spelling. "UK", "United Kingdom" and (as news use it)
    /// "Britain" mean the whole UK. A name that is both a region and a county ("London",
    /// "West Midlands") means the region.
    pub fn resolve_area(&self, text: &str) -> Option<Area> {
        let cleaned = clean_text(text);
        let name = area_query(&cleaned)?;
        if UK_NAMES.iter().any(|n| eq_ignore_case(n, name)) {
            return Some(Area::Uk);
        }
        let nations = [
            Nation::England,
            Nation::Scotland,
            Nation::Wales,
            Nation::NorthernIreland,
        ];
        if let Some(n) = nations.into_iter().find(|n| eq_ignore_case(n.name(), name)) {
            return Some(Area::Nation(n));
        }
        if let Some(r) = self.regions().into_iter().find(|r| eq_ignore_case(r, name)) {
            return Some(Area::Region(r.to_owned()));
        }
        if let Some(c) = self
            .counties()
            .into_iter()
            .find(|c| eq_ignore_case(c, name))
        {
            return Some(Area::County(c.to_owned()));
        }
        let city = self
            .constituencies()
            .filter_map(|c| city_in_name(&c.name))
            .find(|city| eq_ignore_case(city, name))?;
        (self.city_seat_count(city) >= 2).then(|| Area::City(city.to_owned()))
    }
}

/// A place name as [`ElectionResults::resolve_area`] reads it: cleaned, without a leading
/// "the"; `None` when nothing is left.
fn area_query(cleaned: &str) -> Option<&str> {
    let name = strip_prefix_ignore_case(cleaned, "the ")
        .unwrap_or(cleaned)
        .trim();
    (!name.is_empty()).then_some(name)
}

impl ConstituencyResult {
    /// Whether this seat bears on what the place name `text` resolves to
    /// ([`ElectionResults::resolve_area`]): whether the name is the seat's region or county,
    /// or a city the seat's name starts with. Adding a seat for which this is false to an
    /// election's results (or taking it away) leaves the resolution of `text` as it was, so
    /// a follower of the results re-resolves a name only when a seat bearing it declares.
    pub fn bears_area_name(&self, text: &str) -> bool {
        let cleaned = clean_text(text);
        let Some(name) = area_query(&cleaned) else {
            return false;
        };
        eq_ignore_case(&self.region, name)
            || eq_ignore_case(&self.county, name)
            || city_covers(name, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::tests::{candidate, seat};

    fn results() -> ElectionResults {
        let mut glasgow_c = seat(
            "S14000030",
            "Glasgow Central",
            vec![candidate("A A", "SNP", 5)],
        );
        let mut glasgow_ne = seat(
            "S14000031",
            "Glasgow North East",
            vec![candidate("B B", "SNP", 5)],
        );
        for s in [&mut glasgow_c, &mut glasgow_ne] {
            s.nation = Nation::Scotland;
            s.region = "Scotland".to_owned();
            s.county = "Scotland".to_owned();
        }
        let mut edgbaston = seat(
            "E14000560",
            "Birmingham, Edgbaston",
            vec![candidate("C C", "Lab", 5)],
        );
        let mut yardley = seat(
            "E14000569",
            "Birmingham, Yardley",
            vec![candidate("D D", "Lab", 5)],
        );
        let mut coventry = seat(
            "E14000649",
            "Coventry North East",
            vec![candidate("E E", "Lab", 5)],
        );
        for s in [&mut edgbaston, &mut yardley, &mut coventry] {
            s.region = "West Midlands".to_owned();
            s.county = "West Midlands".to_owned();
        }
        let mut manchester = seat(
            "E14000807",
            "Manchester Central",
            vec![candidate("F F", "Lab", 5)],
        );
        manchester.region = "North West".to_owned();
        manchester.county = "Greater Manchester".to_owned();
        let mut stretford = seat(
            "E14000977",
            "Stretford and Urmston",
            vec![candidate("G G", "Lab", 5)],
        );
        stretford.region = "North West".to_owned();
        stretford.county = "Greater Manchester".to_owned();
        let mut glasgowish = seat("S14000099", "Glasgowford", vec![candidate("H H", "Lab", 5)]);
        glasgowish.nation = Nation::Scotland;
        [
            glasgow_c, glasgow_ne, edgbaston, yardley, coventry, manchester, stretford, glasgowish,
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn a_city_covers_the_seats_named_after_it_and_no_others() {
        let glasgow = Area::City("Glasgow".to_owned());
        let e = results();
        let names: Vec<&str> = e.in_area(&glasgow).map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Glasgow Central", "Glasgow North East"]);
        let birmingham = Area::City("birmingham".to_owned());
        assert_eq!(e.seat_count(&birmingham), 2);
    }

    #[test]
    fn regions_and_counties_compare_case_insensitively() {
        let e = results();
        assert_eq!(e.seat_count(&Area::Region("north west".to_owned())), 2);
        assert_eq!(
            e.seat_count(&Area::County("GREATER MANCHESTER".to_owned())),
            2
        );
        assert_eq!(e.seat_count(&Area::Nation(Nation::Scotland)), 3);
        assert_eq!(e.seat_count(&Area::Uk), 8);
    }

    #[test]
    fn area_names_follow_the_check_report_spelling() {
        assert_eq!(Area::Uk.name(), "UK");
        assert_eq!(
            Area::Nation(Nation::NorthernIreland).name(),
            "Northern Ireland"
        );
        assert_eq!(
            Area::Region("North West".to_owned()).to_string(),
            "North West"
        );
        assert_eq!(Area::City("Glasgow".to_owned()).name(), "Glasgow");
    }

    #[test]
    fn the_cities_are_those_two_or_more_seat_names_carry() {
        let e = results();
        let cities: Vec<&str> = e.cities().into_iter().collect();
        assert_eq!(cities, ["Birmingham", "Glasgow"]);
        assert_eq!(city_in_name("Coventry North East"), Some("Coventry"));
        assert_eq!(
            city_in_name("Sheffield, Brightside and Hillsborough"),
            Some("Sheffield")
        );
        assert_eq!(city_in_name("York Outer"), Some("York"));
        assert_eq!(city_in_name("Stretford and Urmston"), None);
        assert_eq!(city_in_name("North"), None);
    }

    #[test]
    fn place_names_resolve_to_areas_with_the_official_spelling() {
        let e = results();
        assert_eq!(e.resolve_area("UK"), Some(Area::Uk));
        assert_eq!(e.resolve_area("Britain"), Some(Area::Uk));
        assert_eq!(e.resolve_area("the United Kingdom"), Some(Area::Uk));
        assert_eq!(
            e.resolve_area("scotland"),
            Some(Area::Nation(Nation::Scotland))
        );
        assert_eq!(e.resolve_area("Wales"), Some(Area::Nation(Nation::Wales)));
        assert_eq!(
            e.resolve_area("the north west"),
            Some(Area::Region("North West".to_owned()))
        );
        assert_eq!(
            e.resolve_area("West Midlands"),
            Some(Area::Region("West Midlands".to_owned()))
        );
        assert_eq!(
            e.resolve_area("Greater\u{A0}Manchester"),
            Some(Area::County("Greater Manchester".to_owned()))
        );
        assert_eq!(
            e.resolve_area("GLASGOW"),
            Some(Area::City("Glasgow".to_owned()))
        );
        assert_eq!(
            e.resolve_area("Birmingham"),
            Some(Area::City("Birmingham".to_owned()))
        );
    }

    #[test]
    fn a_seat_bears_the_names_of_its_region_county_and_city_and_no_others() {
        let e = results();
        let yardley = e
            .constituency(&crate::model::ConstituencyId::parse("E14000569").unwrap())
            .unwrap();
        for name in [
            "west midlands",
            "the West Midlands",
            "Birmingham",
            "BIRMINGHAM",
        ] {
            assert!(yardley.bears_area_name(name), "{name}");
        }
        for name in ["UK", "England", "Glasgow", "Birm", "North West", "", "the"] {
            assert!(!yardley.bears_area_name(name), "{name}");
        }
    }

    #[test]
    fn given_a_seat_that_bears_no_name_when_added_then_no_resolution_changes() {
        // Given the results without one seat, and the seat
        let full = results();
        let names = [
            "UK",
            "Scotland",
            "North West",
            "West Midlands",
            "Greater Manchester",
            "Glasgow",
            "Birmingham",
            "Coventry",
            "Manchester",
            "Glasgowford",
            "Dorset",
        ];
        for seat in full.constituencies() {
            let without: ElectionResults = full
                .constituencies()
                .filter(|c| c.id != seat.id)
                .cloned()
                .collect();
            // Then every name the seat does not bear resolves alike with or without it
            for name in names.iter().filter(|n| !seat.bears_area_name(n)) {
                assert_eq!(
                    without.resolve_area(name),
                    full.resolve_area(name),
                    "{name} with and without {}",
                    seat.name
                );
            }
        }
    }

    #[test]
    fn names_not_in_the_results_do_not_resolve() {
        let e = results();
        assert_eq!(
            e.resolve_area("Coventry"),
            None,
            "one seat is not a city area"
        );
        assert_eq!(e.resolve_area("Dorset"), None);
        assert_eq!(e.resolve_area("Glasg"), None);
        assert_eq!(e.resolve_area(""), None);
        assert_eq!(e.resolve_area("the"), None);
    }
}
