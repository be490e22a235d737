//! The review of one claim as a state machine: the state its `review-<claim id>` stream
//! folds to, and the pure decision of which event a command appends, or why it is refused.

use chrono::{DateTime, Utc};
use newsroom_claims::{ClaimId, Verdict};
use newsroom_events::{
    AccessRole, Event, OverrideApproved, ReviewAssigned, ReviewDecided, ReviewDecision,
    ReviewReopened,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::input::{PersonName, Reason};

/// Where a claim's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not decided yet (or reopened).
    Open,
    /// Overridden, waiting for a second editor's approval; the automatic verdict stands
    /// until then.
    AwaitingApproval,
    /// Confirmed, or overridden and approved.
    Decided,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Open, Status::AwaitingApproval, Status::Decided];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::AwaitingApproval => "awaiting_approval",
            Status::Decided => "decided",
        }
    }
}

/// The decision in force (or awaiting approval).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    #[serde(flatten)]
    pub decision: ReviewDecision,
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The automatic verdict when the decision was made.
    pub on_verdict: Option<Verdict>,
    /// Who approved the override (four eyes); null for a confirmation or while pending.
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// The review state of one claim: its stream folded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Review {
    /// The version of the claim's review stream: what a write must name as its
    /// `expected_version`. 0 before anything happened.
    pub version: u64,
    pub status: Status,
    pub assignee: Option<String>,
    pub decision: Option<Decision>,
}

impl Default for Review {
    fn default() -> Self {
        Review {
            version: 0,
            status: Status::Open,
            assignee: None,
            decision: None,
        }
    }
}

/// What an editor asks to do with a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Assign { assignee: PersonName },
    Confirm { reason: Option<Reason> },
    Override { verdict: Verdict, reason: Reason },
    Approve,
    Reopen { reason: Reason },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Assign { .. } => "assign",
            Command::Confirm { .. } => "confirm",
            Command::Override { .. } => "override",
            Command::Approve => "approve",
            Command::Reopen { .. } => "reopen",
        }
    }

    pub fn permission(&self) -> Permission {
        match self {
            Command::Approve => Permission::Approve,
            _ => Permission::Decide,
        }
    }
}

/// Why a command was refused. Nothing is appended.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("the {role:?} role may not {action}; it takes the role {needs}")]
    NotPermitted {
        action: &'static str,
        role: AccessRole,
        needs: &'static str,
    },
    #[error("the override was made by {0}: a second editor must approve it (four eyes)")]
    OwnOverride(String),
    #[error("cannot {action} a claim whose review is {status}")]
    InvalidState {
        action: &'static str,
        status: &'static str,
    },
    #[error("the claim is assigned to {0} already")]
    AlreadyAssigned(String),
    #[error("{0} holds no active token of a role that may decide, so cannot be assigned")]
    UnknownAssignee(String),
    #[error("the automatic verdict is {0} already: confirm it instead of overriding")]
    SameVerdict(Verdict),
    #[error("the claim has no automatic verdict yet")]
    NotChecked,
}

/// The event `command` appends to the review of `claim`, at `review`'s state, with the
/// claim's current automatic verdict; `assignable` says who may be assigned.
pub fn decide(
    claim: &ClaimId,
    review: &Review,
    automatic: Option<Verdict>,
    actor: &Actor,
    command: Command,
    assignable: impl Fn(&PersonName) -> bool,
) -> Result<Event, Refusal> {
    let action = command.name();
    let permission = command.permission();
    if !permission.granted_to(actor.role) {
        return Err(Refusal::NotPermitted {
            action,
            role: actor.role,
            needs: permission.roles(),
        });
    }
    let invalid = || Refusal::InvalidState {
        action,
        status: review.status.as_str(),
    };
    let by = actor.name.as_str().to_owned();
    let claim_id = claim.clone();
    match command {
        Command::Assign { assignee } => {
            if review.status == Status::Decided {
                return Err(invalid());
            }
            if review.assignee.as_deref() == Some(assignee.as_str()) {
                return Err(Refusal::AlreadyAssigned(assignee.to_string()));
            }
            if !assignable(&assignee) {
                return Err(Refusal::UnknownAssignee(assignee.to_string()));
            }
            Ok(Event::ReviewAssigned(ReviewAssigned {
                claim_id,
                assignee: assignee.to_string(),
                by,
            }))
        }
        Command::Confirm { reason } => {
            if review.status != Status::Open {
                return Err(invalid());
            }
            automatic.ok_or(Refusal::NotChecked)?;
            Ok(Event::ReviewDecided(ReviewDecided {
                claim_id,
                decision: ReviewDecision::Confirm,
                reason: reason.map(Reason::into_string),
                by,
            }))
        }
        Command::Override { verdict, reason } => {
            if review.status != Status::Open {
                return Err(invalid());
            }
            if automatic.ok_or(Refusal::NotChecked)? == verdict {
                return Err(Refusal::SameVerdict(verdict));
            }
            Ok(Event::ReviewDecided(ReviewDecided {
                claim_id,
                decision: ReviewDecision::Override { verdict },
                reason: Some(reason.into_string()),
                by,
            }))
        }
        Command::Approve => {
            if review.status != Status::AwaitingApproval {
                return Err(invalid());
            }
            if let Some(decision) = &review.decision {
                if decision.by == actor.name.as_str() {
                    return Err(Refusal::OwnOverride(decision.by.clone()));
                }
            }
            Ok(Event::OverrideApproved(OverrideApproved { claim_id, by }))
        }
        Command::Reopen { reason } => {
            if review.status == Status::Open {
                return Err(invalid());
            }
            Ok(Event::ReviewReopened(ReviewReopened {
                claim_id,
                reason: reason.into_string(),
                by,
            }))
        }
    }
}

impl Review {
    /// Folds one event of the claim's review stream, stored at `version`, into the state;
    /// `automatic` is the claim's automatic verdict at that point of the store's order.
    /// Total: an event that makes no sense in the current state (appended by something
    /// other than this crate) only moves the version on.
    pub fn apply(
        &mut self,
        event: &Event,
        version: u64,
        at: DateTime<Utc>,
        automatic: Option<Verdict>,
    ) {
        self.version = self.version.max(version);
        match event {
            Event::ReviewAssigned(assigned) => self.assignee = Some(assigned.assignee.clone()),
            Event::ReviewDecided(decided) => {
                self.status = match decided.decision {
                    ReviewDecision::Confirm => Status::Decided,
                    ReviewDecision::Override { .. } => Status::AwaitingApproval,
                };
                self.decision = Some(Decision {
                    decision: decided.decision.clone(),
                    reason: decided.reason.clone(),
                    by: decided.by.clone(),
                    at,
                    on_verdict: automatic,
                    approved_by: None,
                    approved_at: None,
                });
            }
            Event::OverrideApproved(approved) => {
                if self.status != Status::AwaitingApproval {
                    tracing::warn!(claim = %approved.claim_id, "approval without a pending override passed over");
                    return;
                }
                if let Some(decision) = &mut self.decision {
                    decision.approved_by = Some(approved.by.clone());
                    decision.approved_at = Some(at);
                }
                self.status = Status::Decided;
            }
            Event::ReviewReopened(_) => {
                self.status = Status::Open;
                self.decision = None;
            }
            _ => {}
        }
    }

    /// The verdict in force: an override once approved, else the automatic verdict.
    pub fn effective_verdict(&self, automatic: Option<Verdict>) -> Option<Verdict> {
        match (&self.status, &self.decision) {
            (
                Status::Decided,
                Some(Decision {
                    decision: ReviewDecision::Override { verdict },
                    ..
                }),
            ) => Some(*verdict),
            _ => automatic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(name: &str, role: AccessRole) -> Actor {
        Actor {
            name: PersonName::parse(name).unwrap(),
            role,
        }
    }

    fn reason(s: &str) -> Reason {
        Reason::parse(s).unwrap()
    }

    fn claim() -> ClaimId {
        ClaimId("c-1".to_owned())
    }

    /// Decides and applies, as the store would: the next version.
    fn step(review: &mut Review, who: &Actor, command: Command) -> Result<(), Refusal> {
        let event = decide(
            &claim(),
            review,
            Some(Verdict::Inaccurate),
            who,
            command,
            |_| true,
        )?;
        let next = review.version + 1;
        review.apply(&event, next, Utc::now(), Some(Verdict::Inaccurate));
        Ok(())
    }

    #[test]
    fn given_an_override_when_a_second_approver_approves_then_it_counts() {
        let mut review = Review::default();
        let alice = actor("alice", AccessRole::Editor);
        let bob = actor("bob", AccessRole::Approver);
        let verdict = Verdict::Accurate;
        step(
            &mut review,
            &alice,
            Command::Override {
                verdict,
                reason: reason("the HoC file says so"),
            },
        )
        .unwrap();
        assert_eq!(review.status, Status::AwaitingApproval);
        assert_eq!(
            review.effective_verdict(Some(Verdict::Inaccurate)),
            Some(Verdict::Inaccurate),
            "an override does not count before approval"
        );
        step(&mut review, &bob, Command::Approve).unwrap();
        assert_eq!(review.status, Status::Decided);
        assert_eq!(review.version, 2);
        assert_eq!(
            review.effective_verdict(Some(Verdict::Inaccurate)),
            Some(verdict)
        );
        assert_eq!(review.decision.unwrap().approved_by.as_deref(), Some("bob"));
    }

    #[test]
    fn given_an_override_when_its_author_approves_then_four_eyes_refuses() {
        let mut review = Review::default();
        let carol = actor("carol", AccessRole::Approver);
        step(
            &mut review,
            &carol,
            Command::Override {
                verdict: Verdict::Accurate,
                reason: reason("r"),
            },
        )
        .unwrap();
        assert_eq!(
            step(&mut review, &carol, Command::Approve),
            Err(Refusal::OwnOverride("carol".to_owned()))
        );
        assert_eq!(review.status, Status::AwaitingApproval);
    }

    #[test]
    fn given_an_editor_when_approving_then_the_role_is_refused() {
        let mut review = Review::default();
        step(
            &mut review,
            &actor("alice", AccessRole::Editor),
            Command::Override {
                verdict: Verdict::Accurate,
                reason: reason("r"),
            },
        )
        .unwrap();
        let refusal = step(
            &mut review,
            &actor("dave", AccessRole::Editor),
            Command::Approve,
        );
        assert!(matches!(refusal, Err(Refusal::NotPermitted { .. })));
    }

    #[test]
    fn given_an_auditor_then_every_write_is_refused() {
        let auditor = actor("audrey", AccessRole::Auditor);
        let commands = [
            Command::Assign {
                assignee: PersonName::parse("audrey").unwrap(),
            },
            Command::Confirm { reason: None },
            Command::Override {
                verdict: Verdict::Accurate,
                reason: reason("r"),
            },
            Command::Approve,
            Command::Reopen {
                reason: reason("r"),
            },
        ];
        for command in commands {
            let mut review = Review::default();
            assert!(matches!(
                step(&mut review, &auditor, command),
                Err(Refusal::NotPermitted { .. })
            ));
        }
    }

    #[test]
    fn given_the_automatic_verdict_when_overriding_with_it_then_confirm_is_asked_for() {
        let mut review = Review::default();
        let refusal = step(
            &mut review,
            &actor("alice", AccessRole::Editor),
            Command::Override {
                verdict: Verdict::Inaccurate,
                reason: reason("r"),
            },
        );
        assert_eq!(refusal, Err(Refusal::SameVerdict(Verdict::Inaccurate)));
    }

    #[test]
    fn given_a_decided_claim_then_only_reopen_is_allowed_and_it_clears_the_decision() {
        let mut review = Review::default();
        let alice = actor("alice", AccessRole::Editor);
        step(&mut review, &alice, Command::Confirm { reason: None }).unwrap();
        assert_eq!(
            review.effective_verdict(Some(Verdict::Inaccurate)),
            Some(Verdict::Inaccurate)
        );
        for command in [
            Command::Confirm { reason: None },
            Command::Override {
                verdict: Verdict::Accurate,
                reason: reason("r"),
            },
            Command::Assign {
                assignee: PersonName::parse("bob").unwrap(),
            },
        ] {
            assert!(matches!(
                step(&mut review, &alice, command),
                Err(Refusal::InvalidState { .. })
            ));
        }
        step(
            &mut review,
            &alice,
            Command::Reopen {
                reason: reason("new figures"),
            },
        )
        .unwrap();
        assert_eq!(review.status, Status::Open);
        assert_eq!(review.decision, None);
        assert_eq!(review.version, 2);
    }

    #[test]
    fn given_an_open_claim_when_reopened_or_approved_then_the_state_refuses() {
        let alice = actor("alice", AccessRole::Admin);
        for command in [
            Command::Reopen {
                reason: reason("r"),
            },
            Command::Approve,
        ] {
            let mut review = Review::default();
            assert!(matches!(
                step(&mut review, &alice, command),
                Err(Refusal::InvalidState { .. })
            ));
        }
    }

    #[test]
    fn given_an_assignee_when_assigning_them_again_or_an_unknown_person_then_it_is_refused() {
        let alice = actor("alice", AccessRole::Editor);
        let mut review = Review::default();
        step(
            &mut review,
            &alice,
            Command::Assign {
                assignee: alice.name.clone(),
            },
        )
        .unwrap();
        assert_eq!(review.assignee.as_deref(), Some("alice"));
        assert_eq!(
            step(
                &mut review,
                &alice,
                Command::Assign {
                    assignee: alice.name.clone()
                }
            ),
            Err(Refusal::AlreadyAssigned("alice".to_owned()))
        );
        let unknown = decide(
            &claim(),
            &review,
            Some(Verdict::Pending),
            &alice,
            Command::Assign {
                assignee: PersonName::parse("zed").unwrap(),
            },
            |_| false,
        );
        assert_eq!(unknown, Err(Refusal::UnknownAssignee("zed".to_owned())));
    }

    #[test]
    fn given_an_approval_without_a_pending_override_when_applied_then_only_the_version_moves() {
        let mut review = Review::default();
        let stray = Event::OverrideApproved(OverrideApproved {
            claim_id: claim(),
            by: "x".into(),
        });
        review.apply(&stray, 1, Utc::now(), Some(Verdict::Pending));
        assert_eq!(review.version, 1);
        assert_eq!(review.status, Status::Open);
    }
}
