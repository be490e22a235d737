//! Claim extraction: reads every checkable claim out of an article. Pure, no IO.
