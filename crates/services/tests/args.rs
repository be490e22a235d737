//! The command-line arguments of `tallies replay` and `tallies correct`, as the binary
//! embeds them.

use clap::{Parser, Subcommand};
use newsroom_services::{CorrectArgs, ReplayArgs, Speed};
use newsroom_tally::{Votes, Year};

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Replay(ReplayArgs),
    Correct(CorrectArgs),
}

fn parse(args: &[&str]) -> Result<Command, clap::Error> {
    Cli::try_parse_from(std::iter::once("tallies").chain(args.iter().copied())).map(|c| c.command)
}

#[test]
fn replay_takes_a_directory_and_defaults_to_the_2015_night_at_600_times_real_time() {
    let Command::Replay(args) = parse(&["replay", "results/"]).unwrap() else {
        panic!("replay")
    };
    assert_eq!(args.dir, std::path::PathBuf::from("results/"));
    assert_eq!(args.election(), Year(2015));
    assert_eq!(args.speed, Speed::Times(600.0));
}

#[test]
fn replay_speed_zero_or_max_means_no_waiting_and_nonsense_is_refused() {
    for speed in ["0", "max"] {
        let Command::Replay(args) = parse(&["replay", "d", "--speed", speed]).unwrap() else {
            panic!("replay")
        };
        assert_eq!(args.speed, Speed::Max);
    }
    let error = parse(&["replay", "d", "--speed=-3"]).unwrap_err();
    assert!(
        error.to_string().contains("not a positive number"),
        "{error}"
    );
}

#[test]
fn correct_names_the_seat_the_candidate_the_votes_and_why() {
    let Command::Correct(args) = parse(&[
        "correct",
        "--year",
        "2015",
        "--constituency",
        "Croydon South",
        "--candidate",
        "Emily Benn",
        "--votes",
        "14308",
        "--reason",
        "Electoral Commission correction of 31 July 2015",
    ])
    .unwrap() else {
        panic!("correct")
    };
    let correction = args.correction();
    assert_eq!(correction.election, Year(2015));
    assert_eq!(correction.constituency, "Croydon South");
    assert_eq!(correction.candidate, "Emily Benn");
    assert_eq!(correction.votes, Votes(14_308));
    assert!(
        parse(&["correct", "--year", "2015"]).is_err(),
        "the rest is required"
    );
}
