//! How check reports are printed: `jsonl` (one contract JSON object per line) and `text`
//! (for people: per article, each claim with its verdict beside the official figure, wrong
//! ones marked so they stand out). Pure: reports in, strings out.

use std::fmt::Write as _;

use newsroom_claims::{CheckReport, Comparator, Kind, Verdict};
use newsroom_services::ClaimHistory;

/// Longest quote shown in `text`, in characters.
const QUOTE_WIDTH: usize = 110;

/// Whether `text` uses ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and NO_COLOR is not set.
    pub fn for_stdout() -> Style {
        use std::io::IsTerminal as _;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if std::io::stdout().is_terminal() && !no_color {
            Style { color: true }
        } else {
            Style::PLAIN
        }
    }

    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

/// One line of `--format jsonl`: the report as its contract JSON object.
pub fn jsonl_line(report: &CheckReport) -> String {
    // A report is plain data (string keys only): serialising it cannot fail.
    serde_json::to_string(report).unwrap_or_default()
}

/// Every report as `jsonl`, one line each (with the final newline).
pub fn jsonl(reports: &[CheckReport]) -> String {
    reports.iter().map(|r| jsonl_line(r) + "\n").collect()
}

/// The `text` form of one article's reports: a heading with the tally of verdicts, then
/// each sentence that holds claims (shortened), followed by its claims, one a line:
/// verdict, kind, what it is about, claimed and official figures; below a claim that is
/// not accurate, the checker's note.
pub fn text_article(article: &str, reports: &[CheckReport], style: Style) -> String {
    let mut out = String::new();
    let heading = format!("{article}  ({})", verdict_counts(reports));
    let _ = writeln!(out, "{}", style.paint("1", &heading));
    if reports.is_empty() {
        let _ = writeln!(out, "  no checkable claims found");
    }
    let mut rest = reports;
    while let Some(first) = rest.first() {
        // The claims read from one sentence follow it.
        let count = rest.iter().take_while(|r| r.span == first.span).count();
        let (sentence, tail) = rest.split_at(count);
        let quote = shorten(&first.quote, QUOTE_WIDTH);
        let _ = writeln!(out, "  \u{201c}{quote}\u{201d}");
        for report in sentence {
            let (mark, code) = verdict_mark(report.verdict);
            let kind = report.kind.as_str();
            let about = subject(report);
            let claimed = figure(&report.claimed, report.kind, Some(report.comparator));
            let official = figure(&report.official, report.kind, None);
            let line =
                format!("{mark:<15} {kind:<9} {about}: claimed {claimed}, official {official}");
            let _ = writeln!(out, "    {}", style.paint(code, &line));
            if report.verdict != Verdict::Accurate {
                if let Some(note) = &report.evidence.note {
                    let note = format!("note: {note}");
                    let _ = writeln!(out, "{:20}{}", "", style.paint("2", &note));
                }
            }
        }
        rest = tail;
    }
    out
}

/// The `text` form of reports of several articles (as the results read model orders them:
/// by article), one block per article, blank lines between.
pub fn text_grouped(reports: &[CheckReport], style: Style) -> String {
    let mut blocks = Vec::new();
    let mut rest = reports;
    while let Some(first) = rest.first() {
        let count = rest
            .iter()
            .take_while(|r| r.article == first.article)
            .count();
        let (group, tail) = rest.split_at(count);
        blocks.push(text_article(&first.article, group, style));
        rest = tail;
    }
    blocks.join("\n")
}

/// The `text` form of one claim's check history: the claim (sentence, what it is about,
/// the figure claimed), every check with its verdict, official figure and the tally version
/// it was judged on, every verdict change with its reason, and the two answers: was it
/// right when first checked, and is it right now.
pub fn text_history(history: &ClaimHistory, style: Style) -> String {
    let mut out = String::new();
    let (Some(first), Some(latest)) = (history.first(), history.latest()) else {
        let _ = writeln!(out, "claim {}: not checked", history.claim_id);
        return out;
    };
    let heading = format!("claim {}  ({})", history.claim_id, latest.article);
    let _ = writeln!(out, "{}", style.paint("1", &heading));
    let _ = writeln!(
        out,
        "  \u{201c}{}\u{201d}",
        shorten(&latest.quote, QUOTE_WIDTH)
    );
    let claimed = figure(&latest.claimed, latest.kind, Some(latest.comparator));
    let _ = writeln!(
        out,
        "  {} {}: claimed {claimed}",
        latest.kind.as_str(),
        subject(latest)
    );
    let _ = writeln!(out, "  checks:");
    for (i, report) in history.reports.iter().enumerate() {
        let (mark, code) = verdict_mark(report.verdict);
        let official = figure(&report.official, report.kind, None);
        let line = format!(
            "{:>3}. {mark:<15} official {official:<12} {}",
            i + 1,
            tally_version(report)
        );
        let _ = writeln!(out, "  {}", style.paint(code, &line));
    }
    if !history.changes.is_empty() {
        let _ = writeln!(out, "  verdict changes:");
        for change in &history.changes {
            let _ = writeln!(
                out,
                "       {} \u{2192} {} (tally version {}): {}",
                change.from.as_str(),
                change.to.as_str(),
                change.tally_version,
                change.reason
            );
        }
    }
    let (first_mark, first_code) = verdict_mark(first.verdict);
    let (now_mark, now_code) = verdict_mark(latest.verdict);
    let _ = writeln!(
        out,
        "  when first checked: {} ({})",
        style.paint(first_code, first_mark),
        tally_version(first)
    );
    let _ = writeln!(
        out,
        "  now:                {} ({})",
        style.paint(now_code, now_mark),
        tally_version(latest)
    );
    out
}

fn tally_version(report: &CheckReport) -> String {
    match report.evidence.tally_version {
        Some(version) => format!("tally version {version}"),
        None => "tally version unknown".to_owned(),
    }
}

/// The `jsonl` form of one claim's history: one JSON object, `claim_id`, `reports` (every
/// check report, oldest first) and `changes` (every `verdict.changed` payload).
pub fn history_json(history: &ClaimHistory) -> String {
    serde_json::json!({
        "claim_id": history.claim_id,
        "reports": history.reports,
        "changes": history.changes,
    })
    .to_string()
}

/// `12 claims: 9 accurate, 2 WRONG, 1 unverifiable`.
pub fn verdict_counts(reports: &[CheckReport]) -> String {
    let order = [
        Verdict::Accurate,
        Verdict::Inaccurate,
        Verdict::Unverifiable,
        Verdict::Ambiguous,
        Verdict::Pending,
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|&v| {
            let n = reports.iter().filter(|r| r.verdict == v).count();
            let label = if v == Verdict::Inaccurate {
                "WRONG"
            } else {
                v.as_str()
            };
            (n > 0).then(|| format!("{n} {label}"))
        })
        .collect();
    let claims = match reports.len() {
        1 => "1 claim".to_owned(),
        n => format!("{n} claims"),
    };
    if parts.is_empty() {
        claims
    } else {
        format!("{claims}: {}", parts.join(", "))
    }
}

/// The mark of a verdict and its colour (SGR code).
fn verdict_mark(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Accurate => ("\u{2713} accurate", "32"),
        Verdict::Inaccurate => ("\u{2717} WRONG", "1;31"),
        Verdict::Unverifiable => ("? unverifiable", "33"),
        Verdict::Ambiguous => ("~ ambiguous", "35"),
        Verdict::Pending => ("\u{2026} pending", "2"),
    }
}

/// What a claim is about: place, who, which election(s).
fn subject(report: &CheckReport) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &report.constituency_id {
        let name = report
            .evidence
            .rows
            .iter()
            .find(|row| row.constituency_id.as_ref() == Some(id))
            .and_then(|row| row.constituency.clone());
        parts.push(name.unwrap_or_else(|| id.to_string()));
    } else if let Some(area) = &report.area {
        parts.push(area.clone());
    }
    match (&report.candidate, &report.party) {
        (Some(candidate), Some(party)) => parts.push(format!("{candidate} ({party})")),
        (Some(candidate), None) => parts.push(candidate.clone()),
        (None, Some(party)) => parts.push(party.to_string()),
        (None, None) => {}
    }
    parts.push(match report.change_from {
        Some(from) => format!("{from}\u{2192}{}", report.election),
        None => report.election.to_string(),
    });
    parts.join(", ")
}

/// A claimed or official figure: numbers with thousands separators and their unit, with
/// the claim's comparator (`>9,000`, `≈10,000`); `—` where there is none.
fn figure(value: &serde_json::Value, kind: Kind, comparator: Option<Comparator>) -> String {
    let base = match value {
        serde_json::Value::Null => return "\u{2014}".to_owned(),
        serde_json::Value::Number(n) => {
            let number = match n.as_i64() {
                Some(i) => group_thousands(i),
                None => n.to_string(),
            };
            match kind {
                Kind::Share | Kind::Turnout => format!("{number}%"),
                Kind::Swing => format!("{number} pts"),
                _ => number,
            }
        }
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let prefix = match comparator {
        Some(Comparator::Gt) => ">",
        Some(Comparator::Lt) => "<",
        Some(Comparator::Approx) => "\u{2248}",
        Some(Comparator::Eq) | None => "",
    };
    format!("{prefix}{base}")
}

/// `25194` → `25,194`; `-1200` → `-1,200`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The quote on one line (whitespace runs as one space), cut to `width` characters with `…`.
fn shorten(quote: &str, width: usize) -> String {
    let flat = quote.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= width {
        return flat;
    }
    let cut: String = flat.chars().take(width.saturating_sub(1)).collect();
    format!("{}\u{2026}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsroom_claims::{ClaimId, Evidence, EvidenceRow};
    use newsroom_tally::{ConstituencyId, PartyCode, Year};
    use serde_json::json;

    fn report(
        verdict: Verdict,
        claimed: serde_json::Value,
        official: serde_json::Value,
    ) -> CheckReport {
        let id = ConstituencyId::parse("E14001024").unwrap();
        CheckReport {
            article: "a.txt".into(),
            claim_id: ClaimId("c1".into()),
            quote: "Tim Farron held   Westmorland and Lonsdale\nwith a majority of 8,949.".into(),
            span: (0, 66),
            kind: Kind::Majority,
            election: Year(2015),
            change_from: None,
            constituency_id: Some(id.clone()),
            area: None,
            party: Some(PartyCode::new("LD")),
            candidate: Some("Tim Farron".into()),
            comparator: Comparator::Eq,
            claimed,
            official,
            verdict,
            evidence: Evidence {
                rule: "majority = winner's votes - runner-up's votes".into(),
                rows: vec![EvidenceRow {
                    election: Year(2015),
                    constituency_id: Some(id),
                    constituency: Some("Westmorland and Lonsdale".into()),
                    candidate: Some("Tim Farron".into()),
                    party: Some(PartyCode::new("LD")),
                    field: "votes".into(),
                    value: json!(25194),
                }],
                note: Some("the winner's lead over the runner-up".into()),
                ..Evidence::default()
            },
        }
    }

    #[test]
    fn given_an_accurate_claim_when_printed_as_text_then_it_shows_both_figures_and_the_quote() {
        let text = text_article(
            "a.txt",
            &[report(Verdict::Accurate, json!(8949), json!(8949))],
            Style::PLAIN,
        );
        assert!(text.starts_with("a.txt  (1 claim: 1 accurate)\n"), "{text}");
        assert!(text.contains("\u{2713} accurate"), "{text}");
        assert!(
            text.contains(
                "Westmorland and Lonsdale, Tim Farron (LD), 2015: claimed 8,949, official 8,949"
            ),
            "{text}"
        );
        assert!(text.contains(
            "\u{201c}Tim Farron held Westmorland and Lonsdale with a majority of 8,949.\u{201d}"
        ));
        assert!(
            !text.contains("note:"),
            "no note for an accurate claim: {text}"
        );
        assert!(!text.contains('\x1b'), "no colour in plain style");
    }

    #[test]
    fn given_an_inaccurate_claim_when_printed_as_text_then_it_is_marked_wrong_with_the_note() {
        let text = text_article(
            "a.txt",
            &[report(Verdict::Inaccurate, json!(9949), json!(8949))],
            Style::PLAIN,
        );
        let line = text.lines().nth(2).unwrap();
        assert!(line.starts_with("    \u{2717} WRONG"), "{text}");
        assert!(line.ends_with("claimed 9,949, official 8,949"), "{text}");
        assert!(
            text.contains("note: the winner's lead over the runner-up"),
            "{text}"
        );
        assert!(text.starts_with("a.txt  (1 claim: 1 WRONG)"), "{text}");
    }

    #[test]
    fn given_colour_when_an_inaccurate_claim_is_printed_then_it_is_bold_red() {
        let text = text_article(
            "a.txt",
            &[report(Verdict::Inaccurate, json!(1), json!(2))],
            Style { color: true },
        );
        assert!(text.contains("\x1b[1;31m\u{2717} WRONG"), "{text:?}");
    }

    #[test]
    fn given_reports_of_two_articles_when_grouped_then_each_gets_its_heading() {
        let mut second = report(Verdict::Accurate, json!(1), json!(1));
        second.article = "b.txt".into();
        let reports = [report(Verdict::Accurate, json!(1), json!(1)), second];
        let text = text_grouped(&reports, Style::PLAIN);
        let headings: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.is_empty())
            .collect();
        assert_eq!(
            headings,
            [
                "a.txt  (1 claim: 1 accurate)",
                "b.txt  (1 claim: 1 accurate)"
            ]
        );
    }

    #[test]
    fn given_a_report_when_printed_as_jsonl_then_the_line_is_the_contract_object() {
        let r = report(Verdict::Accurate, json!(8949), json!(8949));
        let line = jsonl_line(&r);
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["article"], "a.txt");
        assert_eq!(value["verdict"], "accurate");
        assert_eq!(value["constituency_id"], "E14001024");
        assert_eq!(value["span"], json!([0, 66]));
    }

    #[test]
    fn given_figures_of_each_kind_when_formatted_then_units_and_comparators_show() {
        assert_eq!(
            figure(&json!(-1200), Kind::Majority, Some(Comparator::Eq)),
            "-1,200"
        );
        assert_eq!(
            figure(&json!(51.5), Kind::Share, Some(Comparator::Approx)),
            "\u{2248}51.5%"
        );
        assert_eq!(figure(&json!(26.9), Kind::Swing, None), "26.9 pts");
        assert_eq!(
            figure(&json!(9000), Kind::Majority, Some(Comparator::Gt)),
            ">9,000"
        );
        assert_eq!(
            figure(&json!("SNP"), Kind::Outcome, Some(Comparator::Eq)),
            "SNP"
        );
        assert_eq!(
            figure(&serde_json::Value::Null, Kind::Votes, None),
            "\u{2014}"
        );
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000_000), "1,000,000");
    }

    fn votes_report(verdict: Verdict, official: u64, version: u64) -> CheckReport {
        let mut r = report(verdict, json!(14038), json!(official));
        r.kind = Kind::Votes;
        r.candidate = Some("Emily Benn".into());
        r.party = Some(PartyCode::new("Lab"));
        r.evidence.tally_version = Some(version);
        r
    }

    fn croydon_history() -> ClaimHistory {
        ClaimHistory {
            claim_id: ClaimId("c1".into()),
            reports: vec![
                votes_report(Verdict::Accurate, 14038, 1950),
                votes_report(Verdict::Inaccurate, 14308, 1951),
            ],
            changes: vec![newsroom_events::VerdictChanged {
                article: "a.txt".into(),
                claim_id: ClaimId("c1".into()),
                from: Verdict::Accurate,
                to: Verdict::Inaccurate,
                reason: "Croydon South corrected".into(),
                tally_version: 1951,
            }],
        }
    }

    #[test]
    fn given_a_claim_whose_verdict_changed_when_its_history_is_printed_then_both_answers_show() {
        let text = text_history(&croydon_history(), Style::PLAIN);
        assert!(text.starts_with("claim c1  (a.txt)\n"), "{text}");
        assert!(
            text.contains("votes Westmorland and Lonsdale, Emily Benn (Lab), 2015: claimed 14,038"),
            "{text}"
        );
        assert!(
            text.contains("  1. \u{2713} accurate      official 14,038       tally version 1950"),
            "{text}"
        );
        assert!(
            text.contains("  2. \u{2717} WRONG         official 14,308       tally version 1951"),
            "{text}"
        );
        assert!(
            text.contains(
                "accurate \u{2192} inaccurate (tally version 1951): Croydon South corrected"
            ),
            "{text}"
        );
        assert!(
            text.contains("when first checked: \u{2713} accurate (tally version 1950)"),
            "{text}"
        );
        assert!(
            text.contains("now:                \u{2717} WRONG (tally version 1951)"),
            "{text}"
        );
    }

    #[test]
    fn given_a_claim_history_when_printed_as_jsonl_then_it_is_one_object_with_reports_and_changes()
    {
        let line = history_json(&croydon_history());
        assert!(!line.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["claim_id"], "c1");
        assert_eq!(value["reports"][1]["verdict"], "inaccurate");
        assert_eq!(value["changes"][0]["from"], "accurate");
        assert_eq!(value["changes"][0]["to"], "inaccurate");
    }

    #[test]
    fn given_a_long_quote_when_shortened_then_it_ends_with_an_ellipsis_within_the_width() {
        let long = "word ".repeat(50);
        let short = shorten(&long, 20);
        assert!(short.chars().count() <= 20, "{short}");
        assert!(short.ends_with('\u{2026}'));
        assert_eq!(shorten("  short\n quote ", 20), "short quote");
    }
}
