//! Fuzzes article extraction: `Extractor::extract` on arbitrary text, with the extractor
//! built once from the official 2010 and 2015 results (the House of Commons Library files
//! beside the repository). The first input byte picks the publication date (none, or a day
//! between 2005 and 2025); the rest, as lossy UTF-8, is the body.
//!
//! Besides not panicking, every claim must quote the body exactly at its span.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use newsroom_extract::Extractor;
use newsroom_tally::{parse_hoc, SourceFile, Tallies, Year};

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/ge-results/raw/hoc-library");
        let read = |name: &str| {
            let bytes = std::fs::read(dir.join(name))
                .unwrap_or_else(|e| panic!("the official results {name} must be there: {e}"));
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let mut tallies = Tallies::new();
        for year in [2010u16, 2015] {
            let candidates = format!("HoC-GE{year}-results-by-candidate.csv");
            let constituencies = format!("HoC-GE{year}-results-by-constituency.csv");
            let (c, k) = (read(&candidates), read(&constituencies));
            let results = parse_hoc(
                Year(year),
                SourceFile {
                    name: &candidates,
                    text: &c,
                },
                SourceFile {
                    name: &constituencies,
                    text: &k,
                },
            )
            .expect("the official results parse");
            tallies.import(results);
        }
        Extractor::new(&tallies)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&date, body)) = data.split_first() else {
        return;
    };
    let published = match date {
        0 => None,
        n => NaiveDate::from_ymd_opt(2005, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(n) * 29))),
    };
    let body = String::from_utf8_lossy(body);
    let extraction = extractor().extract("fuzz", &body, published);
    for claim in &extraction.claims {
        let (start, end) = claim.span;
        assert!(
            start <= end && end <= body.len(),
            "span {:?} out of the body",
            claim.span
        );
        assert_eq!(
            body.get(start..end),
            Some(claim.quote.as_str()),
            "quote is not the span"
        );
    }
});
