//! Specifications of export and verification on a SQLite store: round trips through both
//! formats, every kind of tampering named with its exact position, filtered exports,
//! rewritten hash chains, manifests and keys, and the `audit` commands end to end.
//!
//! The history (see `support::history`) has 13 events; the article `a1` export holds
//! positions 1, 3, 4, 5, 7, 8, 9, 10, 11, 12.

mod support;

use newsroom_audit::canonical::{self, Hash, LinkFields};
use newsroom_audit::manifest::SignatureError;
use newsroom_audit::record::{Item, Records};
use newsroom_audit::{
    run, verify, AuditCommand, AuditEnv, AuditError, Filter, Finding, Format, Tampering,
};
use newsroom_events::GlobalPosition;
use serde_json::Value;
use support::*;

const FORMATS: [Format; 2] = [Format::Jsonl, Format::Csv];

fn article(id: &str) -> Filter {
    Filter {
        article: Some(id.to_owned()),
        ..Filter::default()
    }
}

async fn export_lines(filter: Filter, format: Format) -> Lines {
    let (store, _dir) = sqlite_with_history().await;
    Lines::of(&export_bytes(store.as_ref(), filter, format).await, format)
}

/// Verifies `lines` written to a file, without pinning the key.
fn verify_lines(lines: &Lines) -> Finding {
    let dir = tempfile::tempdir().unwrap();
    let path = lines.write(&dir, "export");
    verify(&path, None).unwrap()
}

fn tampered(lines: &Lines) -> Tampering {
    match verify_lines(lines) {
        Finding::Tampered(t) => t,
        Finding::Intact(s) => panic!("expected tampering to be found, the export verified: {s:?}"),
    }
}

#[tokio::test]
async fn an_untouched_export_verifies_as_intact_in_both_formats() {
    for format in FORMATS {
        // given an export of the whole store
        let lines = export_lines(Filter::default(), format).await;
        // when verified
        let finding = verify_lines(&lines);
        // then it is intact and covers positions 1..=13 up to the store head
        match finding {
            Finding::Intact(s) => {
                assert_eq!(
                    (s.count, s.first_position, s.last_position),
                    (13, Some(1), Some(13))
                );
                assert_eq!(s.through_position, 13);
                assert_eq!(s.head_hash, s.store_head_hash);
                assert_eq!(s.public_key, public_key_hex());
                assert_eq!(s.newsroom, "The Daily Check");
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn both_formats_round_trip_the_stored_events_with_the_same_hashes() {
    // given a store and its export in each format
    let (store, dir) = sqlite_with_history().await;
    let stored = store.read_all_after(GlobalPosition(0), 100).await.unwrap();
    let mut hashes_per_format = Vec::new();
    for format in FORMATS {
        let bytes = export_bytes(store.as_ref(), Filter::default(), format).await;
        let path = dir.path().join(format!("export.{format:?}"));
        std::fs::write(&path, &bytes).unwrap();
        // when read back
        let mut hashes = Vec::new();
        let mut events = Vec::new();
        for item in Records::open(&path).unwrap() {
            if let Item::Event(record) = item.unwrap() {
                hashes.push((record.prev_hash, record.hash));
                events.push(record);
            }
        }
        // then every stored event comes back field for field, recorded time included
        assert_eq!(events.len(), stored.len(), "{format:?}");
        for (record, envelope) in events.iter().zip(&stored) {
            let expected =
                serde_json::to_value(newsroom_audit::AuditedEvent::of(envelope).unwrap()).unwrap();
            assert_eq!(record.event, expected, "{format:?}");
            assert_eq!(
                record.recorded_at,
                canonical::format_time(envelope.recorded_at.unwrap()),
                "{format:?}"
            );
        }
        hashes_per_format.push(hashes);
    }
    // and both formats carry the same chain, starting from the genesis
    assert_eq!(hashes_per_format[0], hashes_per_format[1]);
    assert_eq!(hashes_per_format[0][0].0, Hash::GENESIS);
}

#[tokio::test]
async fn a_changed_payload_is_named_by_its_position() {
    for format in FORMATS {
        // given an export whose 5th event says something else now
        let mut lines = export_lines(Filter::default(), format).await;
        lines.edit_payload(5, |p| p["report"]["verdict"] = "accurate".into());
        // then verification names position 5
        assert!(
            matches!(tampered(&lines), Tampering::Changed { position: 5, .. }),
            "{format:?}: {:?}",
            tampered(&lines)
        );
    }
}

#[tokio::test]
async fn a_changed_recorded_time_is_named_by_its_position() {
    for format in FORMATS {
        // given an export in which the 4th event claims to have been recorded earlier
        let mut lines = export_lines(Filter::default(), format).await;
        lines.set_recorded_at(4, "2015-05-07T22:00:00.000000Z");
        // then verification names position 4, though recorded_at is outside the event hash
        let t = tampered(&lines);
        assert!(
            matches!(t, Tampering::Changed { position: 4, .. }),
            "{format:?}: {t:?}"
        );
    }
}

#[tokio::test]
async fn a_removed_line_is_named_by_its_position() {
    for format in FORMATS {
        // given an export without the line of position 6
        let mut lines = export_lines(Filter::default(), format).await;
        let i = lines.index_of(6);
        lines.events.remove(i);
        // then verification says position 6 was removed
        let t = tampered(&lines);
        assert!(
            matches!(t, Tampering::Removed { position: 6, .. }),
            "{format:?}: {t:?}"
        );
    }
}

#[tokio::test]
async fn a_removed_last_line_is_named_by_its_position() {
    // given an export whose last event line was cut off (the manifest kept)
    let mut lines = export_lines(Filter::default(), Format::Jsonl).await;
    lines.events.pop();
    // then verification says position 13 was removed
    let t = tampered(&lines);
    assert!(
        matches!(t, Tampering::Removed { position: 13, .. }),
        "{t:?}"
    );
}

#[tokio::test]
async fn an_inserted_copy_of_an_event_is_named_by_its_position() {
    for format in FORMATS {
        // given an export with a second copy of position 3 after position 8
        let mut lines = export_lines(Filter::default(), format).await;
        let copy = lines.events[lines.index_of(3)].clone();
        let after = lines.index_of(8);
        lines.events.insert(after + 1, copy);
        // then verification says an event at position 3 was inserted, at the copy's line
        let t = tampered(&lines);
        match t {
            Tampering::Inserted { position: 3, line } => {
                let header = u64::from(format == Format::Csv);
                // the copy is the 9th event line, after the lines of positions 1..=8
                assert_eq!(line, 9 + header, "{format:?}");
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_inserted_copy_of_a_later_event_is_named_by_its_position() {
    // given an export with a copy of position 11 before position 4
    let mut lines = export_lines(Filter::default(), Format::Jsonl).await;
    let copy = lines.events[lines.index_of(11)].clone();
    let at = lines.index_of(4);
    lines.events.insert(at, copy);
    // then verification says an event at position 11 was inserted
    let t = tampered(&lines);
    assert!(
        matches!(t, Tampering::Inserted { position: 11, .. }),
        "{t:?}"
    );
}

#[tokio::test]
async fn swapped_neighbours_are_named_by_the_one_that_comes_first_now() {
    for format in FORMATS {
        // given an export in which positions 7 and 8 trade places
        let mut lines = export_lines(Filter::default(), format).await;
        let i = lines.index_of(7);
        lines.events.swap(i, i + 1);
        // then verification says position 8 is out of order
        let t = tampered(&lines);
        assert!(
            matches!(t, Tampering::Reordered { position: 8, .. }),
            "{format:?}: {t:?}"
        );
    }
}

#[tokio::test]
async fn an_event_moved_further_down_is_named_by_its_position() {
    // given an export in which position 4 was moved to the end
    let mut lines = export_lines(Filter::default(), Format::Jsonl).await;
    let moved = lines.events.remove(lines.index_of(4));
    lines.events.push(moved);
    // then verification says position 4 is out of order
    let t = tampered(&lines);
    assert!(
        matches!(t, Tampering::Reordered { position: 4, .. }),
        "{t:?}"
    );
}

#[tokio::test]
async fn an_event_moved_further_up_is_named_by_its_position() {
    // given an export in which position 10 was moved before position 2
    let mut lines = export_lines(Filter::default(), Format::Csv).await;
    let moved = lines.events.remove(lines.index_of(10));
    lines.events.insert(1, moved);
    // then verification says position 10 is out of order
    let t = tampered(&lines);
    assert!(
        matches!(t, Tampering::Reordered { position: 10, .. }),
        "{t:?}"
    );
}

/// Changes the payload at `position` and recomputes every hash after it, as someone who
/// knows the algorithm but not the signing key would.
fn rewrite_chain(lines: &mut Lines, position: u64) {
    lines.edit_payload(position, |p| p["report"]["official"] = 56.into());
    let mut prev: Option<(u64, Hash)> = None;
    let mut export_hash = Hash::GENESIS;
    for line in lines.events.iter_mut() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let pos = v["event"]["position"].as_u64().unwrap();
        if let Some((p, h)) = prev {
            if pos == p + 1 {
                v["prev_hash"] = h.to_hex().into();
            }
        }
        let prev_hash: Hash = v["prev_hash"].as_str().unwrap().parse().unwrap();
        let hash = canonical::chain(
            &prev_hash,
            &canonical::canonical_value(pos, &v["event"]).unwrap(),
        );
        v["hash"] = hash.to_hex().into();
        export_hash = canonical::export_link(
            &export_hash,
            LinkFields {
                prev_position: v["prev_position"].as_u64().unwrap(),
                position: pos,
                hash: &hash,
                recorded_at: v["recorded_at"].as_str().unwrap(),
            },
        );
        v["export_hash"] = export_hash.to_hex().into();
        *line = serde_json::to_string(&v).unwrap();
        prev = Some((pos, hash));
    }
}

#[tokio::test]
async fn a_chain_rewritten_with_recomputed_hashes_is_caught_by_the_signed_checkpoints() {
    // given an export whose 5th event was changed and every hash recomputed after it
    let mut lines = export_lines(Filter::default(), Format::Jsonl).await;
    rewrite_chain(&mut lines, 5);
    // then the lines agree with each other, but the signed checkpoint at position 5 does not
    let t = tampered(&lines);
    assert_eq!(
        t,
        Tampering::Rewritten {
            after: 4,
            through: 5
        }
    );
}

#[tokio::test]
async fn a_changed_manifest_breaks_its_signature() {
    // given an export whose manifest now claims 12 events
    let mut lines = export_lines(Filter::default(), Format::Jsonl).await;
    let mut manifest: Value = serde_json::from_str(&lines.manifest).unwrap();
    manifest["manifest"]["count"] = 12.into();
    lines.manifest = manifest.to_string();
    // then the signature does not hold
    assert_eq!(
        tampered(&lines),
        Tampering::Signature(SignatureError::Mismatch)
    );
}

#[tokio::test]
async fn an_export_without_its_manifest_is_not_intact() {
    let lines = export_lines(Filter::default(), Format::Jsonl).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut");
    std::fs::write(&path, lines.events.join("\n")).unwrap();
    assert_eq!(
        verify(&path, None).unwrap(),
        Finding::Tampered(Tampering::NoManifest)
    );
}

#[tokio::test]
async fn a_pinned_key_must_be_the_one_that_signed() {
    // given an intact export
    let lines = export_lines(Filter::default(), Format::Jsonl).await;
    let dir = tempfile::tempdir().unwrap();
    let path = lines.write(&dir, "export");
    // when verified against the newsroom's key, then it is intact
    assert!(matches!(
        verify(&path, Some(&public_key_hex())).unwrap(),
        Finding::Intact(_)
    ));
    // when verified against another key, then it is not
    let other = hex::encode([1u8; 32]);
    assert!(matches!(
        verify(&path, Some(&other)).unwrap(),
        Finding::Tampered(Tampering::UntrustedKey { .. })
    ));
}

#[tokio::test]
async fn an_article_export_holds_the_articles_events_with_the_full_chains_hashes() {
    // given the full export and the export of article a1
    let (store, _dir) = sqlite_with_history().await;
    let full = Lines::of(
        &export_bytes(store.as_ref(), Filter::default(), Format::Jsonl).await,
        Format::Jsonl,
    );
    let a1 = Lines::of(
        &export_bytes(store.as_ref(), article("a1"), Format::Jsonl).await,
        Format::Jsonl,
    );
    // then it holds a1's events, its claims' checks and reviews, and nothing else
    let positions: Vec<u64> = a1.events.iter().map(|l| a1.position(l)).collect();
    assert_eq!(positions, [1, 3, 4, 5, 7, 8, 9, 10, 11, 12]);
    // and each line's hash is the one the full export has at that position
    let hash = |line: &str| serde_json::from_str::<Value>(line).unwrap()["hash"].clone();
    for line in &a1.events {
        let twin = &full.events[full.index_of(a1.position(line))];
        assert_eq!(hash(line), hash(twin));
    }
    // and both manifests state the same store head
    let head = |lines: &Lines| {
        serde_json::from_str::<Value>(&lines.manifest).unwrap()["manifest"]["store_head_hash"]
            .clone()
    };
    assert_eq!(head(&a1), head(&full));
    // and it verifies
    assert!(matches!(verify_lines(&a1), Finding::Intact(_)));
}

#[tokio::test]
async fn tampering_with_a_filtered_export_is_named_by_position() {
    for format in FORMATS {
        let a1 = export_lines(article("a1"), format).await;

        // a removed line: 5, between 4 and 7
        let mut removed = a1.clone();
        removed.events.remove(removed.index_of(5));
        let t = tampered(&removed);
        assert!(
            matches!(t, Tampering::Removed { position: 5, .. }),
            "{format:?}: {t:?}"
        );

        // swapped neighbours: 8 and 9
        let mut swapped = a1.clone();
        let i = swapped.index_of(8);
        swapped.events.swap(i, i + 1);
        let t = tampered(&swapped);
        assert!(
            matches!(t, Tampering::Reordered { position: 9, .. }),
            "{format:?}: {t:?}"
        );

        // an inserted copy of 4 after 9
        let mut inserted = a1.clone();
        let copy = inserted.events[inserted.index_of(4)].clone();
        let after = inserted.index_of(9);
        inserted.events.insert(after + 1, copy);
        let t = tampered(&inserted);
        assert!(
            matches!(t, Tampering::Inserted { position: 4, .. }),
            "{format:?}: {t:?}"
        );

        // a changed event: 10
        let mut changed = a1.clone();
        changed.edit_payload(10, |p| {
            p["report"]["quote"] = "Labour won 332 seats.".into()
        });
        let t = tampered(&changed);
        assert!(
            matches!(t, Tampering::Changed { position: 10, .. }),
            "{format:?}: {t:?}"
        );
    }
}

#[tokio::test]
async fn a_time_filtered_export_holds_the_events_recorded_in_its_range() {
    // given a store, and the recorded time of its 5th and 9th events
    let (store, _dir) = sqlite_with_history().await;
    let stored = store.read_all_after(GlobalPosition(0), 100).await.unwrap();
    let since = stored[4].recorded_at.unwrap();
    let until = stored[8].recorded_at.unwrap();
    // when exported from the 5th (included) to the 9th (excluded)
    let filter = Filter {
        since: Some(since),
        until: Some(until),
        article: None,
    };
    let lines = Lines::of(
        &export_bytes(store.as_ref(), filter, Format::Csv).await,
        Format::Csv,
    );
    // then it holds exactly the events recorded in that range, and verifies
    let expected: Vec<u64> = stored
        .iter()
        .filter(|e| e.recorded_at.unwrap() >= since && e.recorded_at.unwrap() < until)
        .map(|e| e.position.unwrap().0)
        .collect();
    let positions: Vec<u64> = lines.events.iter().map(|l| lines.position(l)).collect();
    assert_eq!(positions, expected);
    assert!(positions.contains(&5) && !positions.contains(&9));
    assert!(matches!(verify_lines(&lines), Finding::Intact(_)));
}

#[tokio::test]
async fn an_empty_store_exports_a_signed_empty_manifest_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = newsroom_store::connect(&format!("sqlite://{}", dir.path().join("e.db").display()))
        .await
        .unwrap();
    let lines = Lines::of(
        &export_bytes(store.as_ref(), Filter::default(), Format::Jsonl).await,
        Format::Jsonl,
    );
    assert!(lines.events.is_empty());
    match verify_lines(&lines) {
        Finding::Intact(s) => assert_eq!((s.count, s.through_position), (0, 0)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_audit_commands_export_to_a_file_verify_it_and_fail_on_tampering() {
    // given a SQLite store with the history, in a data directory without a key yet
    let (_store, dir) = sqlite_with_history().await;
    let env = AuditEnv {
        data_dir: dir.path().join("data"),
        database_url: format!("sqlite://{}", dir.path().join("events.db").display()),
    };
    let export_path = dir.path().join("audit.csv");
    let parse = |args: &[&str]| {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(subcommand)]
            audit: AuditCommand,
        }
        Cli::try_parse_from(std::iter::once("audit").chain(args.iter().copied()))
            .unwrap()
            .audit
    };

    // when exporting as CSV to a file
    let mut out = Vec::new();
    let export_cmd = parse(&[
        "export",
        "--format",
        "csv",
        "--output",
        export_path.to_str().unwrap(),
    ]);
    run(export_cmd, &env, &mut out).await.unwrap();
    // then a signing key was created in the data directory, and `pubkey` prints its public key
    assert!(env.data_dir.join("signing.key").exists());
    let mut pubkey = Vec::new();
    run(parse(&["pubkey"]), &env, &mut pubkey).await.unwrap();
    let pubkey = String::from_utf8(pubkey).unwrap().trim().to_owned();
    assert_eq!(pubkey.len(), 64);

    // and verifying against that key says intact
    let mut report = Vec::new();
    let verify_cmd = parse(&[
        "verify",
        export_path.to_str().unwrap(),
        "--public-key",
        &pubkey,
    ]);
    run(verify_cmd, &env, &mut report).await.unwrap();
    assert!(String::from_utf8(report)
        .unwrap()
        .starts_with("intact: 13 events"));

    // when a line is removed from the file, then verify fails naming the position
    let mut lines = Lines::of(&std::fs::read(&export_path).unwrap(), Format::Csv);
    lines.events.remove(lines.index_of(2));
    std::fs::write(&export_path, lines.text()).unwrap();
    let mut report = Vec::new();
    let outcome = run(
        parse(&["verify", export_path.to_str().unwrap()]),
        &env,
        &mut report,
    )
    .await;
    assert!(matches!(
        outcome,
        Err(AuditError::NotIntact(t)) if matches!(*t, Tampering::Removed { position: 2, .. })
    ));
    assert!(String::from_utf8(report)
        .unwrap()
        .contains("position 2 was removed"));

    // and keygen refuses to overwrite the existing key
    let outcome = run(parse(&["keygen"]), &env, &mut Vec::new()).await;
    assert!(matches!(outcome, Err(AuditError::Key(_))));
}
