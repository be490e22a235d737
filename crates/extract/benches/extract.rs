//! Extraction (and extraction + checking) throughput over a corpus made by repeating the seed
//! articles: MB/s per core (criterion reports bytes/s) and claims per second (printed once).

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use newsroom_extract::Extractor;
use newsroom_tally::{parse_hoc, SourceFile, Tallies, Year};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

fn tallies() -> Tallies {
    let dir = format!("{SHARED}/data/ge-results/raw/hoc-library");
    let mut t = Tallies::new();
    for year in [2010u16, 2015] {
        let cn = format!("HoC-GE{year}-results-by-candidate.csv");
        let kn = format!("HoC-GE{year}-results-by-constituency.csv");
        let c = std::fs::read_to_string(format!("{dir}/{cn}")).expect("official candidate file");
        let k = std::fs::read_to_string(format!("{dir}/{kn}")).expect("official constituency file");
        t.import(
            parse_hoc(
                Year(year),
                SourceFile {
                    name: &cn,
                    text: &c,
                },
                SourceFile {
                    name: &kn,
                    text: &k,
                },
            )
            .expect("official files parse"),
        );
    }
    t
}

fn corpus() -> Vec<String> {
    let mut seeds: Vec<String> = std::fs::read_dir(format!("{SHARED}/seeds"))
        .expect("seed articles")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    seeds.sort();
    // about 1 MB: the seeds repeated
    let one: usize = seeds.iter().map(String::len).sum();
    let times = (1_000_000 / one.max(1)).max(1);
    (0..times).flat_map(|_| seeds.clone()).collect()
}

fn bench(c: &mut Criterion) {
    let tallies = tallies();
    let ex = Extractor::new(&tallies);
    let articles = corpus();
    let bytes: usize = articles.iter().map(String::len).sum();
    let published = NaiveDate::from_ymd_opt(2015, 5, 8);
    let start = Instant::now();
    let claims: usize = articles
        .iter()
        .map(|a| ex.extract("bench", a, published).claims.len())
        .sum();
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "corpus {bytes} bytes, {claims} claims: {:.1} MB/s, {:.0} claims/s (one core, one pass)",
        bytes as f64 / secs / 1e6,
        claims as f64 / secs
    );
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("seeds_corpus", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| black_box(ex.extract("bench", a, published)).claims.len())
                .sum::<usize>()
        })
    });
    g.bench_function("seeds_corpus_extract_and_check", |b| {
        b.iter(|| {
            articles
                .iter()
                .flat_map(|a| ex.extract("bench", a, published).claims)
                .filter(|claim| {
                    black_box(newsroom_check::check(claim, &tallies)).verdict
                        == newsroom_claims::Verdict::Accurate
                })
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
