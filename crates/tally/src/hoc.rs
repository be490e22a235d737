//! The House of Commons Library results files (`HoC-GE<year>-results-by-candidate.csv`
//! and `HoC-GE<year>-results-by-constituency.csv`), read exactly as published: columns are
//! found by their header name, every text cell is cleaned ([`clean_text`]), and a pair of
//! files is refused unless each constituency's candidate votes add up to its valid votes.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use csv::StringRecord;

use crate::model::{
    CandidateResult, ConstituencyId, ConstituencyResult, Nation, PartyCode, Votes, Year,
};
use crate::text::clean_text;

/// One file's name (for messages) and its whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Which of the two HoC Library results files a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HocFile {
    /// `HoC-GE<year>-results-by-candidate.csv`: one row per candidate.
    Candidates,
    /// `HoC-GE<year>-results-by-constituency.csv`: one row per constituency.
    Constituencies,
}

/// Why a pair of HoC Library files was refused. Every message names the file and the
/// line (1-based, as in the file; the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file} line {line}: not well-formed CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file} line 1: the header has no column {column:?}")]
    MissingColumn { file: String, column: &'static str },
    #[error("{file} line 1: no rows after the header")]
    NoRows { file: String },
    #[error("{file} line {line}: {column} is {value:?}, expected {expected}")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("{file} line {line}: constituency {id} already appears on line {first_line}")]
    DuplicateConstituency {
        file: String,
        line: u64,
        id: String,
        first_line: u64,
    },
    #[error("{file} line {line}: constituency {id:?} is not in {other_file}")]
    UnknownConstituency {
        file: String,
        line: u64,
        id: String,
        other_file: String,
    },
    #[error("{file} line {line}: {constituency} ({id}) has no candidates in {other_file}")]
    NoCandidates {
        file: String,
        line: u64,
        constituency: String,
        id: String,
        other_file: String,
    },
    #[error(
        "{file} line {line}: votes in {constituency} sum to {sum} but valid votes are {valid}"
    )]
    VoteSum {
        file: String,
        line: u64,
        constituency: String,
        sum: u64,
        valid: u64,
    },
}

impl ImportError {
    /// The name of the file at fault.
    pub fn file(&self) -> &str {
        match self {
            ImportError::Csv { file, .. }
            | ImportError::MissingColumn { file, .. }
            | ImportError::NoRows { file }
            | ImportError::BadValue { file, .. }
            | ImportError::DuplicateConstituency { file, .. }
            | ImportError::UnknownConstituency { file, .. }
            | ImportError::NoCandidates { file, .. }
            | ImportError::VoteSum { file, .. } => file,
        }
    }

    /// The line at fault (1-based; the header is line 1).
    pub fn line(&self) -> u64 {
        match self {
            ImportError::MissingColumn { .. } | ImportError::NoRows { .. } => 1,
            ImportError::Csv { line, .. }
            | ImportError::BadValue { line, .. }
            | ImportError::DuplicateConstituency { line, .. }
            | ImportError::UnknownConstituency { line, .. }
            | ImportError::NoCandidates { line, .. }
            | ImportError::VoteSum { line, .. } => *line,
        }
    }
}

/// Recognises a HoC Library results file by its published name:
/// `HoC-GE2015-results-by-candidate.csv` → `(Year(2015), HocFile::Candidates)`,
/// `HoC-GE2010-results-by-constituency.csv` → `(Year(2010), HocFile::Constituencies)`.
/// Takes a bare file name, not a path.
pub fn hoc_file_name(name: &str) -> Option<(Year, HocFile)> {
    let rest = name.strip_prefix("HoC-GE")?;
    let (year, rest) = rest.split_at_checked(4)?;
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match rest {
        "-results-by-candidate.csv" => HocFile::Candidates,
        "-results-by-constituency.csv" => HocFile::Constituencies,
        _ => return None,
    };
    Some((Year(year.parse().ok()?), kind))
}

/// Reads one election's pair of HoC Library files into constituency results, in the order
/// of the constituency file, each with its candidates in descending order of votes.
///
/// The constituency file gives each seat's names, nation (`Country name`), region, county,
/// declaration time, electorate and valid and invalid votes; the candidate file gives the
/// candidates, joined on `ONS ID`. The files are refused if a cell does not parse, if a
/// candidate's constituency is missing from the constituency file or a constituency has no
/// candidates, or if a constituency's candidate votes do not sum to its valid votes.
pub fn parse_hoc(
    year: Year,
    candidates: SourceFile<'_>,
    constituencies: SourceFile<'_>,
) -> Result<Vec<ConstituencyResult>, ImportError> {
    let mut seats = read_constituencies(year, constituencies)?;
    let index: HashMap<String, usize> = seats
        .iter()
        .enumerate()
        .map(|(i, seat)| (seat.result.id.to_string(), i))
        .collect();
    read_candidates(candidates, |line, id, candidate| {
        let at = index
            .get(id)
            .copied()
            .ok_or_else(|| ImportError::UnknownConstituency {
                file: candidates.name.to_owned(),
                line,
                id: id.to_owned(),
                other_file: constituencies.name.to_owned(),
            })?;
        seats[at].result.candidates.push(candidate);
        Ok(())
    })?;
    seats
        .into_iter()
        .map(|seat| seat.finish(constituencies.name, candidates.name))
        .collect()
}

/// A constituency row before its candidates are checked.
struct Seat {
    line: u64,
    result: ConstituencyResult,
}

impl Seat {
    fn finish(
        mut self,
        constituencies_file: &str,
        candidates_file: &str,
    ) -> Result<ConstituencyResult, ImportError> {
        let seat = &mut self.result;
        if seat.candidates.is_empty() {
            return Err(ImportError::NoCandidates {
                file: constituencies_file.to_owned(),
                line: self.line,
                constituency: seat.name.clone(),
                id: seat.id.to_string(),
                other_file: candidates_file.to_owned(),
            });
        }
        let sum = seat
            .candidates
            .iter()
            .fold(0u64, |sum, c| sum.saturating_add(c.votes.0));
        if sum != seat.valid_votes.0 {
            return Err(ImportError::VoteSum {
                file: constituencies_file.to_owned(),
                line: self.line,
                constituency: seat.name.clone(),
                sum,
                valid: seat.valid_votes.0,
            });
        }
        seat.candidates.sort_by_key(|c| std::cmp::Reverse(c.votes));
        Ok(self.result)
    }
}

const ONS_ID: &str = "ONS ID";

fn read_constituencies(year: Year, file: SourceFile<'_>) -> Result<Vec<Seat>, ImportError> {
    let mut table = Table::open(file)?;
    let [id_col, name_col, county_col, region_col, country_col, time_col, electorate_col, valid_col, invalid_col] =
        table.columns([
            ONS_ID,
            "Constituency name",
            "County name",
            "Region name",
            "Country name",
            "Declaration time",
            "Electorate",
            "Valid votes",
            "Invalid votes",
        ])?;
    let mut seats: Vec<Seat> = Vec::with_capacity(700);
    let mut first_lines: HashMap<ConstituencyId, u64> = HashMap::with_capacity(700);
    while let Some(row) = table.next_row()? {
        let id_text = row.text(id_col);
        let id = ConstituencyId::parse(&id_text).map_err(|_| {
            row.bad(
                id_col,
                &id_text,
                "an ONS constituency code (E, W, S or N and eight digits)",
            )
        })?;
        if let Some(&first_line) = first_lines.get(&id) {
            return Err(ImportError::DuplicateConstituency {
                file: file.name.to_owned(),
                line: row.line,
                id: id.to_string(),
                first_line,
            });
        }
        first_lines.insert(id.clone(), row.line);
        let country = row.text(country_col);
        let nation = Nation::parse(&country).ok_or_else(|| {
            row.bad(
                country_col,
                &country,
                "England, Scotland, Wales or Northern Ireland",
            )
        })?;
        let time = row.text(time_col);
        let declared_at = if time.is_empty() {
            None
        } else {
            Some(parse_declaration_time(&time).ok_or_else(|| {
                row.bad(
                    time_col,
                    &time,
                    "a time as M/D/YY H:MM or DD/MM/YYYY HH:MM, or nothing",
                )
            })?)
        };
        seats.push(Seat {
            line: row.line,
            result: ConstituencyResult {
                election: year,
                id,
                name: row.text(name_col).into_owned(),
                county: row.text(county_col).into_owned(),
                region: row.text(region_col).into_owned(),
                nation,
                declared_at,
                electorate: row.count(electorate_col)?,
                valid_votes: Votes(row.count(valid_col)?),
                invalid_votes: row.count(invalid_col)?,
                candidates: Vec::new(),
            },
        });
    }
    if seats.is_empty() {
        return Err(ImportError::NoRows {
            file: file.name.to_owned(),
        });
    }
    Ok(seats)
}

/// Reads every candidate row, handing each (line, constituency code, candidate) to `place`.
fn read_candidates(
    file: SourceFile<'_>,
    mut place: impl FnMut(u64, &str, CandidateResult) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut table = Table::open(file)?;
    let [id_col, party_name_col, party_col, first_col, surname_col, sitting_col, former_col, votes_col] =
        table.columns([
            ONS_ID,
            "Party name",
            "Party abbreviation",
            "Candidate first name",
            "Candidate surname",
            "Sitting MP",
            "Former MP",
            "Votes",
        ])?;
    let mut rows = 0usize;
    while let Some(row) = table.next_row()? {
        rows += 1;
        let first_name = row.text(first_col).into_owned();
        let surname = row.text(surname_col).into_owned();
        let name = match (first_name.is_empty(), surname.is_empty()) {
            (false, false) => format!("{first_name} {surname}"),
            (false, true) => first_name.clone(),
            (true, _) => surname.clone(),
        };
        let candidate = CandidateResult {
            name,
            first_name,
            surname,
            party: PartyCode(row.text(party_col).into_owned()),
            party_name: row.text(party_name_col).into_owned(),
            votes: Votes(row.count(votes_col)?),
            sitting_mp: row.yes_no(sitting_col)?,
            former_mp: row.yes_no(former_col)?,
        };
        place(row.line, &row.text(id_col), candidate)?;
    }
    if rows == 0 {
        return Err(ImportError::NoRows {
            file: file.name.to_owned(),
        });
    }
    Ok(())
}

/// A CSV file being read row by row, with its header.
struct Table<'a> {
    file: SourceFile<'a>,
    reader: csv::Reader<&'a [u8]>,
    lines: Lines<'a>,
    headers: StringRecord,
    record: StringRecord,
}

/// Line numbers (1-based, as in the file) of the records of a text, found from the byte
/// offsets the CSV reader reports. The reader's own line count lags by one after a CRLF line
/// end, so lines are counted here: the `\n`s before the record's first byte, plus one.
struct Lines<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Lines<'a> {
        Lines {
            text,
            byte: 0,
            line: 1,
        }
    }

    /// The line of the record the reader places at `byte` (its position may still be on the
    /// previous record's line end). Cheap when asked in increasing order, as rows are read.
    fn record_line(&mut self, byte: u64) -> u64 {
        let text = self.text;
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        while at < text.len() && matches!(text[at], b'\r' | b'\n') {
            at += 1;
        }
        if at < self.byte {
            self.byte = 0;
            self.line = 1;
        }
        self.line += text[self.byte..at].iter().filter(|&&b| b == b'\n').count() as u64;
        self.byte = at;
        self.line
    }
}

/// One data row of a [`Table`].
struct Row<'t> {
    file: &'t str,
    headers: &'t StringRecord,
    record: &'t StringRecord,
    line: u64,
}

impl<'a> Table<'a> {
    fn open(file: SourceFile<'a>) -> Result<Table<'a>, ImportError> {
        let text = file.text.strip_prefix('\u{FEFF}').unwrap_or(file.text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let mut lines = Lines::new(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| csv_error(file.name, &mut lines, &e))?
            .iter()
            .map(|h| clean_text(h).into_owned())
            .collect();
        Ok(Table {
            file,
            reader,
            lines,
            headers,
            record: StringRecord::new(),
        })
    }

    /// The positions of the named columns, in the order asked.
    fn columns<const N: usize>(&self, names: [&'static str; N]) -> Result<[usize; N], ImportError> {
        let mut found = [0usize; N];
        for (slot, name) in found.iter_mut().zip(names) {
            *slot = self
                .headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| ImportError::MissingColumn {
                    file: self.file.name.to_owned(),
                    column: name,
                })?;
        }
        Ok(found)
    }

    fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| csv_error(self.file.name, &mut self.lines, &e))?;
        if !more {
            return Ok(None);
        }
        let byte = self.record.position().map_or(0, csv::Position::byte);
        let line = self.lines.record_line(byte);
        Ok(Some(Row {
            file: self.file.name,
            headers: &self.headers,
            record: &self.record,
            line,
        }))
    }
}

impl Row<'_> {
    fn raw(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("")
    }

    /// The cleaned text of a cell.
    fn text(&self, col: usize) -> std::borrow::Cow<'_, str> {
        clean_text(self.raw(col))
    }

    fn bad(&self, col: usize, value: &str, expected: &'static str) -> ImportError {
        ImportError::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            column: self.headers.get(col).unwrap_or_default().to_owned(),
            value: value.to_owned(),
            expected,
        }
    }

    /// A whole number of votes or electors.
    fn count(&self, col: usize) -> Result<u64, ImportError> {
        let raw = self.raw(col);
        parse_count(raw).ok_or_else(|| self.bad(col, raw, "a whole number"))
    }

    /// `Yes` or `No`; blank counts as no.
    fn yes_no(&self, col: usize) -> Result<bool, ImportError> {
        let text = self.text(col);
        if text.is_empty() || text.eq_ignore_ascii_case("no") {
            Ok(false)
        } else if text.eq_ignore_ascii_case("yes") {
            Ok(true)
        } else {
            Err(self.bad(col, &text, "Yes, No or blank"))
        }
    }
}

fn csv_error(file: &str, lines: &mut Lines<'_>, e: &csv::Error) -> ImportError {
    ImportError::Csv {
        file: file.to_owned(),
        line: lines.record_line(e.position().map_or(0, csv::Position::byte)),
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            _ => e.to_string(),
        },
    }
}

fn parse_count(s: &str) -> Option<u64> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A small number of at most `max_len` digits.
fn parse_small(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a declaration time as the HoC files write it: `M/D/YY H:MM` when the year has two
/// digits (the 2010 file, re-saved by a spreadsheet: "5/7/10 3:05" is 7 May 2010), and
/// `DD/MM/YYYY HH:MM` when it has four (2015, 2017: "08/05/2015 03:19"). Seconds are
/// accepted after the minutes.
pub fn parse_declaration_time(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.trim().split_once(' ')?;
    let mut parts = date.split('/');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = match c.len() {
        2 => (2000 + i32::try_from(parse_small(c, 2)?).ok()?, a, b),
        4 => (i32::try_from(parse_small(c, 4)?).ok()?, b, a),
        _ => return None,
    };
    let mut clock = time.trim().split(':');
    let hour = parse_small(clock.next()?, 2)?;
    let minute = parse_small(clock.next()?, 2)?;
    let second = match clock.next() {
        Some(s) => parse_small(s, 2)?,
        None => 0,
    };
    if clock.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, parse_small(month, 2)?, parse_small(day, 2)?)?
        .and_hms_opt(hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSTITUENCIES: &str = "HoC-GE2015-results-by-constituency.csv";
    const CANDIDATES: &str = "HoC-GE2015-results-by-candidate.csv";

    const CONSTITUENCY_HEADER: &str = "ONS ID,ONS region ID,Constituency name,County name,\
        Region name,Country name,Constituency type,Declaration time,Member first name,\
        Member surname,Member gender,Result,First party,Second party,Electorate,Valid votes,\
        Invalid votes,Majority,Con,Lab,LD,UKIP,Green,SNP,PC,DUP,SF,SDLP,UUP,APNI,\
        All other candidates";
    const CANDIDATE_HEADER: &str = "ONS ID,ONS region ID,Constituency name,County name,\
        Region name,Country name,Constituency type,Party name,Party abbreviation,\
        Electoral Commission party ID,MNIS party ID,Electoral Commission adjunct party ID,\
        Candidate first name,Candidate surname,Candidate gender,Sitting MP,Former MP,\
        Member MNIS ID,Votes,Share,Change";

    fn constituency_row(id: &str, name: &str, time: &str, valid: &str) -> String {
        format!(
            "{id},E12000007,{name},London,London,England,Borough,{time},A,B,M,Con hold,Con,Lab,\
             80000,{valid},100,0,0,0,0,0,0,0,0,0,0,0,0,0,0"
        )
    }

    fn candidate_row(id: &str, first: &str, surname: &str, party: &str, votes: &str) -> String {
        format!(
            "{id},E12000007,Somewhere,London,London,England,Borough,{party} Party,{party},PP1,1,,\
             {first},{surname},Male,No,No,,{votes},0.5,"
        )
    }

    fn file(header: &str, rows: &[String]) -> String {
        let mut text = header.to_owned();
        for row in rows {
            text.push_str("\r\n");
            text.push_str(row);
        }
        text
    }

    fn parse(
        candidates: &str,
        constituencies: &str,
    ) -> Result<Vec<ConstituencyResult>, ImportError> {
        parse_hoc(
            Year(2015),
            SourceFile {
                name: CANDIDATES,
                text: candidates,
            },
            SourceFile {
                name: CONSTITUENCIES,
                text: constituencies,
            },
        )
    }

    /// Croydon South with 2 valid votes and Bath with 10, as published.
    fn two_constituencies() -> String {
        file(
            CONSTITUENCY_HEADER,
            &[
                constituency_row("E14000656", "Croydon South", "08/05/2015 04:37", "2"),
                constituency_row("E14000547", "Bath", "", "10"),
            ],
        )
    }

    fn error_message(candidates: &str, constituencies: &str) -> String {
        parse(candidates, constituencies).unwrap_err().to_string()
    }

    #[test]
    fn given_a_well_formed_pair_when_parsed_then_each_constituency_has_its_candidates_by_votes() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[
                candidate_row("E14000547", "Ben", "Howlett", "Con", "3"),
                candidate_row("E14000656", "Emily", "Benn", "Lab", "1"),
                candidate_row("E14000547", "Steve", "Bradley", "LD", "7"),
                candidate_row("E14000656", "Chris", "Philp", "Con", "1"),
            ],
        );
        let results = parse(&candidates, &two_constituencies()).unwrap();
        assert_eq!(results.len(), 2);
        let croydon = &results[0];
        assert_eq!(croydon.id.as_str(), "E14000656");
        assert_eq!(croydon.name, "Croydon South");
        assert_eq!(croydon.election, Year(2015));
        assert_eq!(
            (croydon.county.as_str(), croydon.region.as_str()),
            ("London", "London")
        );
        assert_eq!(croydon.nation, Nation::England);
        assert_eq!(croydon.electorate, 80000);
        assert_eq!(
            (croydon.valid_votes, croydon.invalid_votes),
            (Votes(2), 100)
        );
        assert_eq!(
            croydon.declared_at.unwrap().to_string(),
            "2015-05-08 04:37:00"
        );
        let bath = &results[1];
        assert_eq!(bath.declared_at, None);
        let names: Vec<&str> = bath.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Steve Bradley", "Ben Howlett"]);
        let bradley = &bath.candidates[0];
        assert_eq!(bradley.first_name, "Steve");
        assert_eq!(bradley.surname, "Bradley");
        assert_eq!(bradley.party, PartyCode::new("LD"));
        assert_eq!(bradley.party_name, "LD Party");
        assert_eq!(bradley.votes, Votes(7));
        assert!(!bradley.sitting_mp && !bradley.former_mp);
    }

    #[test]
    fn given_mangled_text_when_parsed_then_every_text_cell_is_cleaned() {
        let row = "E14000656,E12000007,Croydon South,London,London,England,Borough,\
                   Sinn F\u{c3}\u{a9}in,SF,PP39,30,,S\u{c3}\u{a9}amus\u{a0},  Mc\u{ad}Kay ,Male,\
                   Yes ,\u{a0},,2,1,";
        let candidates = file(CANDIDATE_HEADER, &[row.to_owned()]);
        let constituencies = file(
            CONSTITUENCY_HEADER,
            &[constituency_row("E14000656", "Croydon  South ", "", "2")],
        );
        let results = parse(&candidates, &constituencies).unwrap();
        assert_eq!(results[0].name, "Croydon South");
        let c = &results[0].candidates[0];
        assert_eq!(c.name, "Séamus McKay");
        assert_eq!(
            (c.first_name.as_str(), c.surname.as_str()),
            ("Séamus", "McKay")
        );
        assert_eq!(c.party_name, "Sinn Féin");
        assert!(c.sitting_mp, "\"Yes \" is yes");
        assert!(!c.former_mp, "a blank (non-breaking space) is no");
    }

    #[test]
    fn given_columns_in_another_order_an_extra_column_and_a_byte_order_mark_then_columns_are_found_by_name(
    ) {
        let constituencies = "\u{feff}Valid votes,Country name,Of which other winner,ONS ID,\
                              Constituency name,County name,Region name,Declaration time,\
                              Electorate,Invalid votes\n\
                              5,Wales,0,W07000049,Aberavon,West Glamorgan,Wales,5/7/10 3:05,50838,44\n";
        let candidates = "Votes,Candidate surname,Candidate first name,ONS ID,Party name,\
                          Party abbreviation,Sitting MP,Former MP\n\
                          5,Francis,Hywel,W07000049,Labour,Lab,Yes,Yes\n";
        let results = parse(candidates, constituencies).unwrap();
        let aberavon = &results[0];
        assert_eq!(aberavon.nation, Nation::Wales);
        assert_eq!(
            aberavon.declared_at.unwrap().to_string(),
            "2010-05-07 03:05:00"
        );
        assert_eq!(aberavon.candidates[0].name, "Hywel Francis");
        assert!(aberavon.candidates[0].sitting_mp && aberavon.candidates[0].former_mp);
    }

    #[test]
    fn given_votes_that_do_not_sum_to_the_valid_votes_then_the_constituency_line_is_named() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[
                candidate_row("E14000656", "Emily", "Benn", "Lab", "1"),
                candidate_row("E14000547", "Steve", "Bradley", "LD", "10"),
            ],
        );
        assert_eq!(
            error_message(&candidates, &two_constituencies()),
            "HoC-GE2015-results-by-constituency.csv line 2: \
             votes in Croydon South sum to 1 but valid votes are 2"
        );
    }

    #[test]
    fn given_a_candidate_in_an_unknown_constituency_then_the_candidate_line_is_named() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[
                candidate_row("E14000656", "Emily", "Benn", "Lab", "2"),
                candidate_row("E14000547", "Steve", "Bradley", "LD", "10"),
                candidate_row("E14999999", "Nobody", "Atall", "Ind", "0"),
            ],
        );
        let err = parse(&candidates, &two_constituencies()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HoC-GE2015-results-by-candidate.csv line 4: constituency \"E14999999\" \
             is not in HoC-GE2015-results-by-constituency.csv"
        );
        assert_eq!((err.file(), err.line()), (CANDIDATES, 4));
    }

    #[test]
    fn given_a_constituency_without_candidates_then_its_line_is_named() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "Emily", "Benn", "Lab", "2")],
        );
        assert_eq!(
            error_message(&candidates, &two_constituencies()),
            "HoC-GE2015-results-by-constituency.csv line 3: Bath (E14000547) has no candidates \
             in HoC-GE2015-results-by-candidate.csv"
        );
    }

    #[test]
    fn given_votes_that_are_not_a_number_then_the_cell_is_named() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "Emily", "Benn", "Lab", "1,000")],
        );
        // An unquoted comma also shifts the columns, so quote the cell as a spreadsheet would.
        let candidates = candidates.replace("1,000", "\"1,000\"");
        assert_eq!(
            error_message(&candidates, &two_constituencies()),
            "HoC-GE2015-results-by-candidate.csv line 2: Votes is \"1,000\", expected a whole number"
        );
        let negative = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "Emily", "Benn", "Lab", "-2")],
        );
        assert!(error_message(&negative, &two_constituencies())
            .starts_with("HoC-GE2015-results-by-candidate.csv line 2: Votes is \"-2\""));
    }

    #[test]
    fn given_constituency_figures_that_are_not_numbers_then_the_cell_is_named() {
        let constituencies = file(
            CONSTITUENCY_HEADER,
            &[constituency_row("E14000656", "Croydon South", "", "two")],
        );
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "A", "B", "Lab", "2")],
        );
        assert_eq!(
            error_message(&candidates, &constituencies),
            "HoC-GE2015-results-by-constituency.csv line 2: Valid votes is \"two\", expected a whole number"
        );
    }

    #[test]
    fn given_a_header_without_a_needed_column_then_the_column_is_named() {
        let candidates = file(
            &CANDIDATE_HEADER.replace("Votes", "Ballots"),
            &[candidate_row("E14000656", "A", "B", "Lab", "2")],
        );
        let err = parse(&candidates, &two_constituencies()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HoC-GE2015-results-by-candidate.csv line 1: the header has no column \"Votes\""
        );
        assert_eq!(err.line(), 1);
    }

    #[test]
    fn given_a_row_with_too_few_fields_then_it_is_not_csv_at_that_line() {
        let constituencies = format!("{}\nE14000656,Croydon South", two_constituencies());
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "A", "B", "Lab", "2")],
        );
        assert_eq!(
            error_message(&candidates, &constituencies),
            "HoC-GE2015-results-by-constituency.csv line 4: not well-formed CSV: \
             2 fields where the header has 31"
        );
    }

    #[test]
    fn given_a_quoted_cell_spanning_lines_then_later_lines_are_counted_as_in_the_file() {
        let candidates = file(
            CANDIDATE_HEADER,
            &[
                candidate_row("E14000656", "A", "B", "Lab", "2")
                    .replace("Lab Party", "\"Labour\nParty\""),
                candidate_row("E14000547", "C", "D", "LD", "ten"),
            ],
        );
        assert!(error_message(&candidates, &two_constituencies())
            .starts_with("HoC-GE2015-results-by-candidate.csv line 4: Votes is \"ten\""));
    }

    #[test]
    fn given_bad_codes_nations_times_or_flags_then_the_cell_is_named() {
        let one = |id: &str, time: &str| {
            file(
                CONSTITUENCY_HEADER,
                &[constituency_row(id, "Croydon South", time, "2")],
            )
        };
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "A", "B", "Lab", "2")],
        );

        let bad_id = error_message(&candidates, &one("X14000656", ""));
        assert!(
            bad_id.starts_with(
                "HoC-GE2015-results-by-constituency.csv line 2: ONS ID is \"X14000656\""
            ),
            "{bad_id}"
        );

        let bad_time = error_message(&candidates, &one("E14000656", "8 May 2015"));
        assert!(
            bad_time.starts_with(
                "HoC-GE2015-results-by-constituency.csv line 2: Declaration time is \"8 May 2015\""
            ),
            "{bad_time}"
        );

        let no_such_day = error_message(&candidates, &one("E14000656", "31/02/2015 01:00"));
        assert!(
            no_such_day.contains("Declaration time is \"31/02/2015 01:00\""),
            "{no_such_day}"
        );

        let bad_nation = one("E14000656", "").replace("England", "Mercia");
        let bad_nation = error_message(&candidates, &bad_nation);
        assert_eq!(
            bad_nation,
            "HoC-GE2015-results-by-constituency.csv line 2: Country name is \"Mercia\", \
             expected England, Scotland, Wales or Northern Ireland"
        );

        let bad_flag = candidates.replace("Male,No,No", "Male,Maybe,No");
        let bad_flag = error_message(&bad_flag, &one("E14000656", ""));
        assert_eq!(
            bad_flag,
            "HoC-GE2015-results-by-candidate.csv line 2: Sitting MP is \"Maybe\", expected Yes, No or blank"
        );
    }

    #[test]
    fn given_a_constituency_listed_twice_then_both_lines_are_named() {
        let constituencies = file(
            CONSTITUENCY_HEADER,
            &[
                constituency_row("E14000656", "Croydon South", "", "2"),
                constituency_row("E14000656", "Croydon South", "", "2"),
            ],
        );
        let candidates = file(
            CANDIDATE_HEADER,
            &[candidate_row("E14000656", "A", "B", "Lab", "2")],
        );
        assert_eq!(
            error_message(&candidates, &constituencies),
            "HoC-GE2015-results-by-constituency.csv line 3: constituency E14000656 already appears on line 2"
        );
    }

    #[test]
    fn given_a_file_with_only_a_header_then_it_is_refused() {
        let candidates = file(CANDIDATE_HEADER, &[]);
        assert_eq!(
            error_message(&candidates, &two_constituencies()),
            "HoC-GE2015-results-by-candidate.csv line 1: no rows after the header"
        );
        let constituencies = file(CONSTITUENCY_HEADER, &[]);
        assert_eq!(
            error_message(&candidates, &constituencies),
            "HoC-GE2015-results-by-constituency.csv line 1: no rows after the header"
        );
        let empty = error_message("", "");
        assert!(
            empty.contains("line 1: the header has no column \"ONS ID\""),
            "{empty}"
        );
    }

    #[test]
    fn declaration_times_are_read_in_both_published_formats() {
        let t = |s| parse_declaration_time(s).map(|t| t.to_string());
        assert_eq!(t("5/7/10 3:05").as_deref(), Some("2010-05-07 03:05:00"));
        assert_eq!(t("5/28/10 0:00").as_deref(), Some("2010-05-28 00:00:00"));
        assert_eq!(
            t("08/05/2015 03:19").as_deref(),
            Some("2015-05-08 03:19:00")
        );
        assert_eq!(
            t("09/06/2017 21:03:30").as_deref(),
            Some("2017-06-09 21:03:30")
        );
        assert_eq!(t("2015-05-08 03:19"), None);
        assert_eq!(t("13/13/10 3:05"), None);
        assert_eq!(t("08/05/2015"), None);
        assert_eq!(t("08/05/2015 25:00"), None);
        assert_eq!(t("8/5/215 03:19"), None);
    }

    #[test]
    fn hoc_file_names_give_the_year_and_the_kind_of_file() {
        assert_eq!(
            hoc_file_name("HoC-GE2015-results-by-candidate.csv"),
            Some((Year(2015), HocFile::Candidates))
        );
        assert_eq!(
            hoc_file_name("HoC-GE2010-results-by-constituency.csv"),
            Some((Year(2010), HocFile::Constituencies))
        );
        assert_eq!(hoc_file_name("HoC-GE15-results-by-candidate.csv"), None);
        assert_eq!(hoc_file_name("HoC-GE2015-results-by-candidate.xlsx"), None);
        assert_eq!(hoc_file_name("1918-2017election_results.csv"), None);
        assert_eq!(hoc_file_name("ge2015_candidates.csv"), None);
        assert_eq!(hoc_file_name("HoC-GE20x5-results-by-candidate.csv"), None);
    }
}
