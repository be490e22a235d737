//! Specifications of the ClaimReview JSON-LD: one review per rated claim with the fields
//! fact-checkers publish, re-checks as dateModified, approved overrides as the rating.

mod support;

use newsroom_audit::claimreview::{claimreview, ClaimReviewOptions};
use newsroom_events::GlobalPosition;
use serde_json::Value;
use support::*;

async fn reviews(article: Option<&str>) -> (Vec<Value>, Vec<String>) {
    let (store, _dir) = sqlite_with_history().await;
    let options = ClaimReviewOptions {
        newsroom: "The Daily Check".to_owned(),
        newsroom_url: Some("https://check.example".to_owned()),
        article: article.map(str::to_owned),
        article_base_url: Some("https://news.example/a/".to_owned()),
        claim_author: None,
    };
    let mut out = Vec::new();
    claimreview(store.as_ref(), options, &mut out)
        .await
        .unwrap();
    // The store's recorded times, by position (index 0 = position 1), as RFC 3339 seconds.
    let recorded = store
        .read_all_after(GlobalPosition(0), 100)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            e.recorded_at
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .collect();
    (serde_json::from_slice(&out).unwrap(), recorded)
}

fn by_claim<'a>(reviews: &'a [Value], claim: &str) -> &'a Value {
    reviews
        .iter()
        .find(|r| r["identifier"] == claim)
        .unwrap_or_else(|| panic!("no review of {claim}"))
}

#[tokio::test]
async fn every_rated_claim_gets_a_claim_review_with_the_published_fields() {
    // given the history: c1 and c2 of article a1, c9 of a2, c3 of a1 still pending
    let (reviews, recorded) = reviews(None).await;
    // then the rated claims are reviewed in the order first checked; the pending one is not
    let ids: Vec<&str> = reviews
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c1", "c2", "c9"]);
    // and each is a schema.org ClaimReview with the fields fact-checkers publish
    let c9 = by_claim(&reviews, "c9");
    assert_eq!(c9["@context"], "https://schema.org");
    assert_eq!(c9["@type"], "ClaimReview");
    assert_eq!(c9["claimReviewed"], "Other claim.");
    assert_eq!(c9["reviewRating"]["@type"], "Rating");
    assert_eq!(c9["reviewRating"]["ratingValue"], 5);
    assert_eq!(c9["reviewRating"]["bestRating"], 5);
    assert_eq!(c9["reviewRating"]["worstRating"], 1);
    assert_eq!(c9["reviewRating"]["alternateName"], "Accurate");
    let explanation = c9["reviewRating"]["ratingExplanation"].as_str().unwrap();
    assert!(
        explanation.contains("the official figure is 1"),
        "{explanation}"
    );
    assert!(
        explanation.contains("Rule: seats = constituencies whose winner stood for the party."),
        "{explanation}"
    );
    assert_eq!(c9["itemReviewed"]["@type"], "Claim");
    assert_eq!(c9["itemReviewed"]["appearance"]["identifier"], "a2");
    assert_eq!(
        c9["itemReviewed"]["appearance"]["url"],
        "https://news.example/a/a2"
    );
    assert_eq!(c9["itemReviewed"]["author"]["name"], "The Daily Check");
    assert_eq!(c9["author"]["@type"], "Organization");
    assert_eq!(c9["author"]["name"], "The Daily Check");
    assert_eq!(c9["author"]["url"], "https://check.example");
    // and it was published when first checked (position 6), never modified
    assert_eq!(c9["datePublished"], recorded[5]);
    assert!(c9.get("dateModified").is_none());
}

#[tokio::test]
async fn a_recheck_changes_the_rating_and_sets_date_modified() {
    let (reviews, recorded) = reviews(None).await;
    // given c1, checked accurate at position 4, re-checked inaccurate at 10, verdict changed at 11
    let c1 = by_claim(&reviews, "c1");
    // then it rates the latest verdict, explains the re-check, and dates both
    assert_eq!(c1["reviewRating"]["alternateName"], "Inaccurate");
    assert_eq!(c1["reviewRating"]["ratingValue"], 1);
    let explanation = c1["reviewRating"]["ratingExplanation"].as_str().unwrap();
    assert!(
        explanation.contains("the official figure is 231"),
        "{explanation}"
    );
    assert!(
        explanation.contains("Re-checked: Croydon South was corrected."),
        "{explanation}"
    );
    assert_eq!(c1["datePublished"], recorded[3]);
    assert_eq!(c1["dateModified"], recorded[10]);
    // and its article's publication date comes from the submission
    assert_eq!(
        c1["itemReviewed"]["appearance"]["datePublished"],
        "2015-05-08"
    );
}

#[tokio::test]
async fn an_approved_override_is_the_published_rating_with_the_editors_reason() {
    let (reviews, recorded) = reviews(None).await;
    // given c2, checked inaccurate, overridden to accurate by alice and approved by bob
    let c2 = by_claim(&reviews, "c2");
    // then the rating is the override's, explained with who and why
    assert_eq!(c2["reviewRating"]["alternateName"], "Accurate");
    assert_eq!(c2["reviewRating"]["ratingValue"], 5);
    let explanation = c2["reviewRating"]["ratingExplanation"].as_str().unwrap();
    assert!(
        explanation.contains(
            "Editor alice overrode the automatic verdict (inaccurate), approved by bob: \
             the article counts the Speaker's seat."
        ),
        "{explanation}"
    );
    assert_eq!(c2["claimReviewed"], "The SNP won 56.");
    assert_eq!(c2["dateModified"], recorded[8]);
}

#[tokio::test]
async fn the_article_filter_keeps_only_that_articles_claims() {
    let (reviews, _) = reviews(Some("a1")).await;
    let ids: Vec<&str> = reviews
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(reviews
        .iter()
        .all(|r| r["itemReviewed"]["appearance"]["identifier"] == "a1"));
}
