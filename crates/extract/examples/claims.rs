//! Prints the claims read out of article files as JSON lines in the check report's shape,
//! checked against the same tallies: a development aid for the extraction rules.
//!
//! cargo run -p newsroom-extract --example claims -- TALLIES_DIR FILE...

use std::path::Path;

use newsroom_extract::Extractor;
use newsroom_tally::{hoc_file_name, parse_hoc, HocFile, SourceFile, Tallies};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, files) = args
        .split_first()
        .ok_or("usage: claims TALLIES_DIR FILE...")?;
    let mut tallies = Tallies::new();
    let mut years = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some((year, HocFile::Candidates)) = hoc_file_name(&name) {
            if year.0 <= 2015 {
                years.insert(year);
            }
        }
    }
    for year in years {
        let cn = format!("HoC-GE{year}-results-by-candidate.csv");
        let kn = format!("HoC-GE{year}-results-by-constituency.csv");
        let c = std::fs::read_to_string(Path::new(dir).join(&cn))?;
        let k = std::fs::read_to_string(Path::new(dir).join(&kn))?;
        tallies.import(parse_hoc(
            year,
            SourceFile {
                name: &cn,
                text: &c,
            },
            SourceFile {
                name: &kn,
                text: &k,
            },
        )?);
    }
    let ex = Extractor::new(&tallies);
    for f in files {
        let body = std::fs::read_to_string(f)?;
        let id = Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for claim in ex
            .extract(&id, &body, chrono::NaiveDate::from_ymd_opt(2015, 5, 8))
            .claims
        {
            let r = newsroom_check::check(&claim, &tallies);
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(())
}
