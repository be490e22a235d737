//! Reconciliation: judges each claim against the official tallies. Pure, no IO.
