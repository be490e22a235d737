//! A directory of House of Commons Library results files: which elections it holds, and
//! reading one election's pair of files into constituency results.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use newsroom_tally::{
    hoc_file_name, parse_hoc, ConstituencyResult, HocFile, ImportError, SourceFile, Year,
};

/// Why official results could not be read from a directory.
#[derive(Debug, thiserror::Error)]
pub enum HocDirError {
    #[error("cannot read the results directory {dir}: {source}")]
    ReadDir { dir: PathBuf, source: io::Error },
    #[error(
        "{dir} holds no House of Commons Library results files \
         (HoC-GE<year>-results-by-candidate.csv and HoC-GE<year>-results-by-constituency.csv)"
    )]
    Empty { dir: PathBuf },
    #[error("{dir} holds no results of {year} (it holds {found})")]
    MissingYear {
        dir: PathBuf,
        year: Year,
        found: String,
    },
    #[error("{present} has no partner: {missing} is missing")]
    Unpaired { present: PathBuf, missing: PathBuf },
    #[error("cannot read {path}: {source}")]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("refused: {0}")]
    Import(#[from] ImportError),
}

/// The two files of one election, as far as they are there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Pair {
    candidates: Option<PathBuf>,
    constituencies: Option<PathBuf>,
}

/// The results files found in a directory, by election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HocDir {
    dir: PathBuf,
    elections: BTreeMap<Year, Pair>,
}

impl HocDir {
    /// Lists the results files in `dir` (by their published names; other files are left
    /// alone). A directory without any is an error.
    pub fn scan(dir: &Path) -> Result<HocDir, HocDirError> {
        let read_dir = |source| HocDirError::ReadDir {
            dir: dir.to_owned(),
            source,
        };
        let mut elections: BTreeMap<Year, Pair> = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(read_dir)? {
            let entry = entry.map_err(read_dir)?;
            let name = entry.file_name();
            let Some((year, kind)) = name.to_str().and_then(hoc_file_name) else {
                continue;
            };
            let pair = elections.entry(year).or_default();
            match kind {
                HocFile::Candidates => pair.candidates = Some(entry.path()),
                HocFile::Constituencies => pair.constituencies = Some(entry.path()),
            }
        }
        if elections.is_empty() {
            return Err(HocDirError::Empty {
                dir: dir.to_owned(),
            });
        }
        Ok(HocDir {
            dir: dir.to_owned(),
            elections,
        })
    }

    /// The elections with at least one file, oldest first.
    pub fn years(&self) -> Vec<Year> {
        self.elections.keys().copied().collect()
    }

    /// Checks that every one of `years` has files here; an empty list means every year.
    pub fn select(&self, years: &[Year]) -> Result<Vec<Year>, HocDirError> {
        if years.is_empty() {
            return Ok(self.years());
        }
        let mut selected = Vec::new();
        for &year in years {
            if !self.elections.contains_key(&year) {
                let found: Vec<String> = self.years().iter().map(Year::to_string).collect();
                return Err(HocDirError::MissingYear {
                    dir: self.dir.clone(),
                    year,
                    found: found.join(", "),
                });
            }
            if !selected.contains(&year) {
                selected.push(year);
            }
        }
        selected.sort();
        Ok(selected)
    }

    /// Reads and parses the pair of files of `year`: every constituency's result, or the
    /// parser's refusal naming the file (its path) and line.
    pub fn load(&self, year: Year) -> Result<Vec<ConstituencyResult>, HocDirError> {
        let pair = self.elections.get(&year).cloned().unwrap_or_default();
        let expected = |kind: &str| self.dir.join(format!("HoC-GE{year}-results-by-{kind}.csv"));
        let (candidates, constituencies) = match (pair.candidates, pair.constituencies) {
            (Some(c), Some(k)) => (c, k),
            (Some(present), None) => {
                return Err(HocDirError::Unpaired {
                    present,
                    missing: expected("constituency"),
                })
            }
            (None, Some(present)) => {
                return Err(HocDirError::Unpaired {
                    present,
                    missing: expected("candidate"),
                })
            }
            (None, None) => {
                return Err(HocDirError::MissingYear {
                    dir: self.dir.clone(),
                    year,
                    found: self
                        .years()
                        .iter()
                        .map(Year::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        };
        let candidates_text = read(&candidates)?;
        let constituencies_text = read(&constituencies)?;
        let candidates_name = candidates.display().to_string();
        let constituencies_name = constituencies.display().to_string();
        Ok(parse_hoc(
            year,
            SourceFile {
                name: &candidates_name,
                text: &candidates_text,
            },
            SourceFile {
                name: &constituencies_name,
                text: &constituencies_text,
            },
        )?)
    }
}

fn read(path: &Path) -> Result<String, HocDirError> {
    std::fs::read_to_string(path).map_err(|source| HocDirError::ReadFile {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANDIDATES: &str = "ONS ID,Constituency name,Candidate first name,Candidate surname,\
Party abbreviation,Party name,Votes,Sitting MP,Former MP\n";

    #[test]
    fn given_a_directory_without_results_files_when_scanned_then_it_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
        let error = HocDir::scan(dir.path()).unwrap_err();
        assert!(matches!(error, HocDirError::Empty { .. }));
        assert!(error
            .to_string()
            .contains(&dir.path().display().to_string()));
    }

    #[test]
    fn given_a_missing_directory_when_scanned_then_the_error_names_it() {
        let error = HocDir::scan(Path::new("/no/such/results")).unwrap_err();
        assert!(error.to_string().contains("/no/such/results"), "{error}");
    }

    #[test]
    fn given_a_candidate_file_without_its_partner_when_loaded_then_the_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("HoC-GE2019-results-by-candidate.csv"),
            CANDIDATES,
        )
        .unwrap();
        let hoc = HocDir::scan(dir.path()).unwrap();
        assert_eq!(hoc.years(), [Year(2019)]);
        let error = hoc.load(Year(2019)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("HoC-GE2019-results-by-constituency.csv is missing"),
            "{error}"
        );
    }

    #[test]
    fn given_years_not_in_the_directory_when_selected_then_the_years_found_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("HoC-GE2019-results-by-candidate.csv"),
            CANDIDATES,
        )
        .unwrap();
        let hoc = HocDir::scan(dir.path()).unwrap();
        let error = hoc.select(&[Year(2015)]).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("holds no results of 2015 (it holds 2019)"),
            "{error}"
        );
        assert_eq!(hoc.select(&[]).unwrap(), [Year(2019)]);
        assert_eq!(hoc.select(&[Year(2019), Year(2019)]).unwrap(), [Year(2019)]);
    }
}
