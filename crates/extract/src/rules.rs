//! The rules that turn one sentence's mentions into claims. Each rule reads a local pattern
//! (a figure and the words around it, or a verb of winning or losing and who and what stands
//! around it) and says what was claimed; nothing here knows the official figures.

use newsroom_claims::{Comparator, Figure, Kind, Outcome};
use newsroom_tally::{ConstituencyId, PartyCode, Year};

use crate::gazetteer::Gazetteer;
use crate::lexicon;
use crate::mentions::{Memory, Mention, Num, What};
use crate::text::Token;

/// A claim before it gets its id and quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: Kind,
    pub election: Year,
    pub change_from: Option<Year>,
    pub constituency: Option<ConstituencyId>,
    pub area: Option<String>,
    pub party: Option<PartyCode>,
    pub person: Option<usize>,
    pub versus: Option<PartyCode>,
    pub comparator: Comparator,
    pub claimed: Claimed,
    /// Why the text allows more than one reading, when it does.
    pub ambiguity: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Claimed {
    Number(Figure),
    Outcome(Outcome),
}

/// Which elections the article is about.
#[derive(Debug, Clone, Copy)]
pub struct Elections {
    pub this: Year,
    pub previous: Option<Year>,
}

/// One sentence, read.
pub struct Sentence<'a> {
    pub tokens: &'a [Token],
    pub mentions: &'a [Mention],
    pub g: &'a Gazetteer,
    pub mem: &'a Memory,
    pub elections: Elections,
    /// Clause boundaries: token index ranges.
    clauses: Vec<(usize, usize)>,
}

impl<'a> Sentence<'a> {
    pub fn new(
        tokens: &'a [Token],
        mentions: &'a [Mention],
        g: &'a Gazetteer,
        mem: &'a Memory,
        elections: Elections,
    ) -> Self {
        let clauses = clauses(tokens);
        Sentence {
            tokens,
            mentions,
            g,
            mem,
            elections,
            clauses,
        }
    }

    fn w(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.norm.as_str()).unwrap_or("")
    }

    fn clause(&self, i: usize) -> (usize, usize) {
        self.clauses
            .iter()
            .copied()
            .find(|(a, b)| *a <= i && i < *b)
            .unwrap_or((0, self.tokens.len()))
    }

    /// Is one of `words` among tokens `from..to`?
    fn any(&self, from: usize, to: usize, words: &[&str]) -> bool {
        (from..to.min(self.tokens.len())).any(|k| words.contains(&self.w(k)))
    }

    fn mention_at(&self, i: usize) -> Option<&Mention> {
        self.mentions.iter().find(|m| m.start == i)
    }

    /// The person a pronoun means: a person named earlier in this sentence, else the first
    /// person of the last sentence that named one.
    fn pronoun_person(&self, before: usize) -> Option<usize> {
        self.mentions
            .iter()
            .filter(|m| m.end <= before)
            .filter_map(|m| {
                if let What::Person(p) = m.what {
                    Some(p)
                } else {
                    None
                }
            })
            .next_back()
            .or(self.mem.subject)
    }

    /// The party a pronoun (`it`, `the party`) means: the last party named.
    fn pronoun_party(&self, before: usize) -> Option<PartyCode> {
        self.mentions
            .iter()
            .filter(|m| {
                m.end <= before
                    && !party_modifier(self, m)
                    && !matches!(
                        self.w(m.start.wrapping_sub(1)),
                        "from" | "to" | "for" | "by"
                    )
            })
            .filter_map(|m| {
                if let What::Party(p) = &m.what {
                    Some(p.clone())
                } else {
                    None
                }
            })
            .next_back()
            .or_else(|| self.mem.subject_party.clone())
            .or_else(|| self.mem.last_party().cloned())
    }

    /// The nearest person or party before token `i` within `from..i`, resolving pronouns.
    fn owner_before(&self, from: usize, i: usize) -> Owner {
        for m in self
            .mentions
            .iter()
            .rev()
            .filter(|m| m.start >= from && m.end <= i)
        {
            match &m.what {
                What::Person(p) => return Owner::Person(*p),
                // "Ukip leader", "Labour's Amina Lone": a party naming a role is no owner
                What::Party(_) if party_modifier(self, m) && self.w(m.end) != "'s" => {}
                What::Party(p) => return Owner::Party(p.clone()),
                What::PersonPronoun => {
                    return match self.pronoun_person(m.start) {
                        Some(p) => Owner::Person(p),
                        None => Owner::None,
                    };
                }
                What::PartyPronoun => {
                    if let Some(p) = self.pronoun_party(m.start) {
                        return Owner::Party(p);
                    }
                }
                _ => {}
            }
        }
        Owner::None
    }

    fn person_constituency(&self, p: usize, election: Year) -> Option<ConstituencyId> {
        let person = &self.g.people[p];
        person
            .candidacy(election)
            .or_else(|| person.candidacy(self.elections.this))
            .or_else(|| person.candidacy_near(election))
            .map(|c| c.constituency.clone())
    }
    /// The constituency a figure at token `i` is about: one named in its clause (nearest),
    /// else in the sentence, else the owner's, else the one the article is about.
    fn constituency_for(&self, i: usize, owner: &Owner, election: Year) -> Option<ConstituencyId> {
        let (a, b) = self.clause(i);
        let near = |from: usize, to: usize| {
            self.mentions
                .iter()
                .filter(|m| m.start >= from && m.end <= to)
                .filter_map(|m| {
                    if let What::Constituency(c) = &m.what {
                        Some((m.start.abs_diff(i), c.clone()))
                    } else {
                        None
                    }
                })
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c)
        };
        let owner_seat = || match owner {
            Owner::Person(p) => self.person_constituency(*p, election),
            _ => None,
        };
        // a seat named before the figure, else the owner's, else one named after it
        near(a, i)
            .or_else(|| near(0, i))
            .or_else(owner_seat)
            .or_else(|| {
                self.mentions
                    .iter()
                    .filter(|m| m.end <= i)
                    .filter_map(|m| {
                        if let What::Person(p) = m.what {
                            Some(p)
                        } else {
                            None
                        }
                    })
                    .next_back()
                    .and_then(|p| self.person_constituency(p, election))
            })
            .or_else(|| near(a, b))
            .or_else(|| near(0, self.tokens.len()))
            .or_else(|| {
                self.mem
                    .subject
                    .and_then(|p| self.person_constituency(p, election))
            })
            .or_else(|| self.mem.constituencies.last().cloned())
    }

    /// The area a seats or share figure is about.
    fn area_for(&self, i: usize) -> String {
        let (a, b) = self.clause(i);
        let in_range = |from: usize, to: usize| {
            self.mentions
                .iter()
                .filter(|m| m.start >= from && m.end <= to)
                .filter_map(|m| {
                    if let What::Area(x) = &m.what {
                        Some((m.start.abs_diff(i), x.clone()))
                    } else {
                        None
                    }
                })
                .min_by_key(|(d, _)| *d)
                .map(|(_, x)| x)
        };
        if let Some(x) = in_range(a, b).or_else(|| in_range(0, self.tokens.len())) {
            return x;
        }
        // "across the rest of the county", "one seat each": the area the article was about
        if let Some(x) = &self.mem.prev_area {
            return x.clone();
        }
        if self.any(
            0,
            self.tokens.len(),
            &["county", "region", "city", "there", "each", "both"],
        ) {
            if let Some(x) = self.mem.areas.last() {
                return x.clone();
            }
        }
        "UK".to_owned()
    }

    /// The election a figure at token `i` is about, and whether a previous-election marker was read.
    fn election_for(&self, i: usize, end: usize) -> Year {
        let (a, b) = self.clause(i);
        // an explicit year just after the figure: "12,264 in 2010", "six seats from 2010"
        for k in end..(end + 4).min(b) {
            if matches!(
                self.mentions.iter().find(|m| m.start == k).map(|m| &m.what),
                Some(What::Number(_))
            ) {
                break;
            }
            if let Some(What::Year(y)) = self.mention_at(k).map(|m| &m.what) {
                if matches!(self.w(k - 1), "in" | "from" | "since") {
                    return Year(*y);
                }
            }
        }
        // "In 2010 Mr Smith's majority was 9,950", "in a by-election in 2012 with a majority of
        // 10,140": a year before the figure, with no figure or comma between
        for k in (a..i).rev() {
            if self.w(k) == ","
                || matches!(self.mention_at(k).map(|m| &m.what), Some(What::Number(_)))
            {
                break;
            }
            if let Some(What::Year(y)) = self.mention_at(k).map(|m| &m.what) {
                let number_before = self
                    .mentions
                    .iter()
                    .any(|m| m.start >= a && m.end <= k && matches!(m.what, What::Number(_)));
                if matches!(self.w(k.wrapping_sub(1)), "in")
                    && *y != self.elections.this.0
                    && !number_before
                {
                    return Year(*y);
                }
            }
        }
        if let Some(prev) = self.elections.previous {
            // markers count for the first figure after them only
            let last_num = self
                .mentions
                .iter()
                .filter(|m| m.end <= i && matches!(m.what, What::Number(_)))
                .map(|m| m.end)
                .max()
                .unwrap_or(0);
            let before = a.max(i.saturating_sub(8)).max(last_num);
            if self.any(before, i, &["overturned", "overturning"]) {
                return prev;
            }
            if self.any(before, i, &["previous", "previously", "former", "had"])
                && !self.any(before, i, &["now"])
            {
                return prev;
            }
            if self.w(i.wrapping_sub(1)) == "from"
                && (self.any(end, b, &["to"]) || matches!(self.w(i.wrapping_sub(2)), "up" | "down"))
            {
                return prev;
            }
            if (self.any(a, i, &["went", "going", "go"]) && self.any(a, i, &["into"]))
                || self.any(end, (end + 5).min(b), &["last"])
            {
                return prev;
            }
        }
        self.elections.this
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Owner {
    Person(usize),
    Party(PartyCode),
    None,
}

impl Owner {
    fn parts(&self, g: &Gazetteer, election: Year) -> (Option<usize>, Option<PartyCode>) {
        match self {
            Owner::Person(p) => (
                Some(*p),
                g.people[*p]
                    .candidacy_near(election)
                    .map(|c| c.party.clone()),
            ),
            Owner::Party(p) => (None, Some(p.clone())),
            Owner::None => (None, None),
        }
    }
}

/// Splits a sentence at `;`, `:`, dashes and at `but`/`while`/`, and` that start a new clause.
fn clauses(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let w = t.norm.as_str();
        let next = tokens.get(i + 1).map(|t| t.norm.as_str()).unwrap_or("");
        let next2 = tokens.get(i + 2).map(|t| t.norm.as_str()).unwrap_or("");
        let split_before = matches!(
            w,
            "but" | "while" | "whereas" | "although" | "though" | "despite"
        ) || (w == "and"
            && i > 0
            && tokens[i - 1].norm == ","
            && !lexicon::is_win_word(next)
            && !lexicon::is_lose_word(next)
            && !(next == "also" && (lexicon::is_win_word(next2) || lexicon::is_lose_word(next2))))
            || matches!(w, ";" | ":");
        if split_before && i > start {
            out.push((start, i));
            start = i;
        }
    }
    if start < tokens.len() {
        out.push((start, tokens.len()));
    }
    out
}

/// How many tokens before `i` state the comparator (`more than` is 2).
fn comparator_len(s: &Sentence, i: usize) -> usize {
    let w1 = s.w(i.wrapping_sub(1));
    let w2 = s.w(i.wrapping_sub(2));
    match (w2, w1) {
        ("more" | "fewer" | "less", "than") | ("close", "to") | ("in", "excess") => 2,
        (
            _,
            "over" | "above" | "under" | "below" | "almost" | "nearly" | "about" | "around"
            | "approximately" | "roughly" | "some",
        ) => 1,
        _ => 0,
    }
    .min(i)
}

fn comparator_before(s: &Sentence, i: usize) -> Comparator {
    // "over a 1,500 majority": the article stands between
    let i = if matches!(s.w(i.wrapping_sub(1)), "a" | "an") {
        i - 1
    } else {
        i
    };
    let w1 = s.w(i.wrapping_sub(1));
    let w2 = s.w(i.wrapping_sub(2));
    let w3 = s.w(i.wrapping_sub(3));
    match (w3, w2, w1) {
        (_, "more", "than") | (_, "in", "excess") | (_, _, "over") | (_, _, "above") => {
            Comparator::Gt
        }
        (_, "fewer" | "less", "than") | (_, _, "under") | (_, _, "below") => Comparator::Lt,
        (
            _,
            _,
            "almost" | "nearly" | "about" | "around" | "approximately" | "roughly" | "some"
            | "circa",
        ) => Comparator::Approx,
        (_, "close", "to") => Comparator::Approx,
        (_, "a", "five-figure") => Comparator::Gt,
        _ => Comparator::Eq,
    }
}

/// Index of the first token of the figure, past its comparator words.
fn figure(n: &Num) -> Figure {
    Figure {
        value: n.value,
        decimals: n.decimals,
    }
}

/// Is token `i` inside a forecast (exit poll, prediction) in its clause?
fn forecast(s: &Sentence, i: usize) -> bool {
    let (a, _) = s.clause(i);
    (a..i).any(|k| lexicon::is_strong_forecast_word(s.w(k)))
        || (a.max(i.saturating_sub(8))..i).any(|k| lexicon::is_forecast_word(s.w(k)))
}
fn draft(kind: Kind, election: Year, n: Figure, comparator: Comparator) -> Draft {
    Draft {
        kind,
        election,
        change_from: None,
        constituency: None,
        area: None,
        party: None,
        person: None,
        versus: None,
        comparator,
        claimed: Claimed::Number(n),
        ambiguity: None,
    }
}

/// Claims about figures: seats, threshold, votes, majority, share, swing, turnout.
pub fn figures(s: &Sentence, out: &mut Vec<Draft>) {
    let nums: Vec<(usize, usize, Num)> = s
        .mentions
        .iter()
        .filter_map(|m| {
            if let What::Number(n) = &m.what {
                Some((m.start, m.end, n.clone()))
            } else {
                None
            }
        })
        .collect();
    let mut majority_chain: Option<usize> = None;
    for (idx, (i, end, n)) in nums.iter().enumerate() {
        let (i, end) = (*i, *end);
        let (a, b) = s.clause(i);
        let next = s.w(end);
        let next2 = s.w(end + 1);
        let prev = s.w(i.wrapping_sub(1));
        // ages, times, ordinals of terms, list numbers
        if next.starts_with("-year")
            || next == "years"
            || (next == "-" && s.w(end + 1).starts_with("year"))
            || matches!(
                next,
                "am" | "pm"
                    | "gmt"
                    | "bst"
                    | "hours"
                    | "days"
                    | "weeks"
                    | "months"
                    | "times"
                    | "fold"
                    | "per"
            )
        {
            continue;
        }
        if matches!(prev, "aged" | "number" | "no" | "target") {
            continue;
        }
        let comparator = comparator_before(s, i);
        let mut fig = figure(n);
        if n.percent {
            percent_claim(s, i, end, n, comparator, out);
            continue;
        }
        let of_at = if prev == "of" {
            i.wrapping_sub(1)
        } else {
            i.wrapping_sub(2)
        };
        let of_total = (prev == "of" || (prev == "the" && s.w(i.wrapping_sub(2)) == "of"))
            && s.mentions
                .iter()
                .any(|m| m.end == of_at && matches!(m.what, What::Number(_)));
        if of_total && idx > 0 {
            continue;
        }
        // "24 more seats than in 2010": a change in seats
        let more_seats = matches!(next, "more" | "fewer") && next2.starts_with("seat");
        let seat_unit = matches!(
            next,
            "seats" | "seat" | "mps" | "mp" | "constituencies" | "gains" | "losses"
        ) || more_seats
            || (next == "-" && matches!(next2, "seat" | "seats"))
            || next.starts_with("seat")
            || (next == "of"
                && (s.any(end + 1, (end + 5).min(b), &["seats", "seat"])
                    || s.any(end, end + 2, &["the"]) && s.any(end, (end + 6).min(b), &["seats"])));
        // threshold: "the 326-seat threshold", "the 326 seats they need for an overall majority"
        if seat_unit
            && (s.any(end, (end + 4).min(b), &["threshold"])
                || (s.any(a, b, &["majority"])
                    && s.any(
                        a,
                        b,
                        &[
                            "need",
                            "needs",
                            "needed",
                            "necessary",
                            "required",
                            "requires",
                        ],
                    )))
        {
            out.push(Draft {
                area: Some("UK".into()),
                ..draft(Kind::Threshold, s.elections.this, fig, Comparator::Eq)
            });
            if matches!(prev, "the")
                && matches!(
                    s.w(i.wrapping_sub(2)),
                    "surpassed" | "crossed" | "passed" | "exceeded" | "past"
                )
            {
                if let Owner::Party(p) = s.owner_before(a, i) {
                    out.push(Draft {
                        area: Some("UK".into()),
                        party: Some(p),
                        ..draft(Kind::Seats, s.elections.this, fig, Comparator::Gt)
                    });
                }
            }
            continue;
        }
        if forecast(s, i) {
            continue;
        }
        // seats; "Labour held on to six seats while the Tories retained eight"
        let after_party = s
            .mentions
            .iter()
            .any(|m| m.end == i && matches!(m.what, What::Party(_)));
        let prev_is_seats = (idx > 0
            && out.last().is_some_and(|d| d.kind == Kind::Seats)
            && (matches!(prev, "had" | "from" | "with")
                || lexicon::is_win_word(prev)
                || lexicon::is_lose_word(prev)
                // "Labour lost 40 and the Liberal Democrats 10"
                || after_party))
            // "Of Scotland's 59 seats, the SNP won 56"
            || (s.any(0, i, &["seats", "mps"])
                && (lexicon::is_win_word(prev) || lexicon::is_lose_word(prev))
                && !matches!(next, "votes" | "vote")
                && n.value < 650.0);
        if (seat_unit || prev_is_seats) && !(next2 == "from" || s.w(end) == "from") {
            seats_claim(s, i, end, fig, comparator, out);
            continue;
        }
        // majority
        let votes_after =
            matches!(next, "votes") || (next == "of" && next2 == "the" && s.w(end + 2) == "votes");
        let majority_before = (a.max(i.saturating_sub(9))..i)
            .any(|k| matches!(s.w(k), "majority" | "margin"))
            && !s.any(
                a.max(i.saturating_sub(3)),
                i,
                &["polled", "received", "got", "securing", "secured"],
            )
            && !(prev == "with" && votes_after);
        let marginal = prev == "with" && s.any(a, i, &["marginal"]);
        let lead = i - comparator_len(s, i);
        let prev = s.w(lead.wrapping_sub(1));
        let majority_after = matches!(next, "majority")
            || (next == "-" && next2 == "vote" && s.w(end + 2) == "majority");
        let more_than = (matches!(next, "more" | "fewer" | "less")
            && matches!(next2, "than" | "votes"))
            || (next == "votes"
                && matches!(next2, "more" | "fewer" | "clear" | "ahead" | "behind"))
            || matches!(next, "clear" | "behind" | "ahead");
        let by_votes = prev == "by"
            || (matches!(prev, "just" | "only") && s.w(i.wrapping_sub(2)) == "by")
            || (comparator != Comparator::Eq && matches!(s.w(i.wrapping_sub(3)), "by" | "of"));
        let beat_context = (a..i).any(|k| {
            lexicon::is_win_word(s.w(k))
                || lexicon::is_lose_word(s.w(k))
                || matches!(s.w(k), "margin" | "out")
        });
        let chained = majority_chain.is_some()
            && ((matches!(prev, "to" | "just" | "from")
                && matches!(
                    s.w(lead.wrapping_sub(2)),
                    "slashed"
                        | "cut"
                        | "to"
                        | "from"
                        | "fell"
                        | "up"
                        | "down"
                        | "soar"
                        | "rose"
                        | "reduced"
                        | "increased"
                        | "just"
                        | "than"
                ))
                || (prev == "to" && s.any(a, lead, &["from"]))
                || (prev == "of" && s.w(lead.wrapping_sub(2)) == "total"));
        if majority_before
            || majority_after
            || more_than
            || (by_votes && beat_context)
            || chained
            || marginal
        {
            let owner = s.owner_before(a, i);
            let mut election = s.election_for(i, end);
            let mut change_from = None;
            // "increasing the majority ... by 2,904 votes", "majority cut by 1,200"
            let change_words = [
                "increased",
                "increasing",
                "increase",
                "cut",
                "reduced",
                "slashed",
                "fell",
                "rose",
                "up",
                "down",
                "doubled",
            ];
            if prev == "by" && majority_before && s.any(a, i, &change_words) && !chained {
                change_from = s.elections.previous;
                election = s.elections.this;
                if s.any(a, i, &["cut", "reduced", "slashed", "fell", "down"]) {
                    fig.value = -fig.value;
                }
            }
            let (person, party) = owner.parts(s.g, election);
            let constituency = s.constituency_for(i, &owner, election);
            majority_chain = Some(idx);
            if constituency.is_some() {
                out.push(Draft {
                    constituency,
                    person,
                    party,
                    change_from,
                    ..draft(Kind::Majority, election, fig, comparator)
                });
            }
            continue;
        }
        // votes
        let vote_unit = matches!(next, "votes" | "vote")
            || (next == "of" && next2 == "the" && s.w(end + 2) == "votes");
        let vote_verb = matches!(
            prev,
            "polled"
                | "polling"
                | "received"
                | "got"
                | "secured"
                | "securing"
                | "took"
                | "won"
                | "winning"
                | "gain"
                | "gained"
                | "with"
                | "on"
                | "'s"
                | "scored"
        ) || (comparator != Comparator::Eq
            && matches!(
                s.w(i.wrapping_sub(3)),
                "polled" | "received" | "with" | "won" | "got"
            ));
        let gapped = out.last().is_some_and(|d| d.kind == Kind::Votes)
            && s.mentions
                .iter()
                .any(|m| m.end == i && matches!(m.what, What::Person(_) | What::Party(_)));
        if (vote_unit || vote_verb || gapped)
            && n.value >= 10.0
            && (!n.word || n.value >= 1_000_000.0)
        {
            let owner = s.owner_before(a, i);
            let owner = if owner == Owner::None {
                s.owner_before(0, i)
            } else {
                owner
            };
            let election = s.election_for(i, end);
            let (person, party) = owner.parts(s.g, election);
            // a party's votes across an area: "UKIP won nearly four million votes"
            let names_seat = s
                .mentions
                .iter()
                .any(|m| matches!(m.what, What::Constituency(_) | What::Person(_)));
            let names_area = s.mentions.iter().any(|m| matches!(m.what, What::Area(_)));
            if person.is_none()
                && party.is_some()
                && !names_seat
                && (names_area || n.value >= 100_000.0)
            {
                out.push(Draft {
                    area: Some(s.area_for(i)),
                    party,
                    ..draft(Kind::Votes, election, fig, comparator)
                });
                continue;
            }
            let constituency = s.constituency_for(i, &owner, election);
            if constituency.is_some() && (person.is_some() || party.is_some()) {
                out.push(Draft {
                    constituency,
                    person,
                    party,
                    ..draft(Kind::Votes, election, fig, comparator)
                });
            }
        }
    }
}

fn percent_claim(
    s: &Sentence,
    i: usize,
    end: usize,
    n: &Num,
    comparator: Comparator,
    out: &mut Vec<Draft>,
) {
    let (a, b) = s.clause(i);
    let window = |w: &[&str]| s.any(i.saturating_sub(6).max(a), (end + 4).min(b), w);
    let mut fig = figure(n);
    // "69.9%, up from 67.5% in 2010": the earlier figure of the claim just read
    if matches!(s.w(i.wrapping_sub(1)), "from" | "to") {
        if let Some(last) = out
            .last()
            .filter(|d| matches!(d.kind, Kind::Turnout | Kind::Share) && d.change_from.is_none())
            .cloned()
        {
            out.push(Draft {
                election: s.election_for(i, end),
                claimed: Claimed::Number(fig),
                comparator,
                ..last
            });
            return;
        }
    }
    // "the swing from Labour to the Conservatives in Nuneaton was 3%"
    let swing_in_clause =
        s.any(a, i, &["swing"]) && !window(&["vote", "votes", "share", "turnout"]);
    let election = s.elections.this;
    if window(&["swing", "swings"]) || swing_in_clause {
        // "a 26.9% swing from Labour to the SNP"
        let mut to = None;
        let mut from = None;
        for k in a..b {
            if let Some(What::Party(p)) = s.mention_at(k).map(|m| &m.what) {
                match s.w(k.wrapping_sub(1)) {
                    "to" => to = Some(p.clone()),
                    "from" => from = Some(p.clone()),
                    "the" if s.w(k.wrapping_sub(2)) == "to" => to = Some(p.clone()),
                    "the" if s.w(k.wrapping_sub(2)) == "from" => from = Some(p.clone()),
                    _ => {}
                }
            }
        }
        let owner = Owner::None;
        // a swing is about a seat named in its own clause
        let Some(constituency) = s.constituency_for(i, &owner, election).filter(|_| {
            s.mentions
                .iter()
                .any(|m| m.start >= a && m.end <= b && matches!(m.what, What::Constituency(_)))
        }) else {
            return;
        };
        if s.elections.previous.is_none() {
            return;
        }
        out.push(Draft {
            constituency: Some(constituency),
            party: to,
            versus: from,
            change_from: s.elections.previous,
            ..draft(Kind::Swing, election, fig, comparator)
        });
        return;
    }
    // "up from 67.5% in 2010": shares and turnouts of the earlier election
    let election = s.election_for(i, end);
    let owner = s.owner_before(a, i);
    let owner = if owner == Owner::None {
        s.owner_before(0, i)
    } else {
        owner
    };
    let (person, party) = owner.parts(s.g, election);
    if window(&["turnout"]) {
        let has_const = s
            .mentions
            .iter()
            .any(|m| matches!(m.what, What::Constituency(_)));
        let names_area = s.mentions.iter().any(|m| matches!(m.what, What::Area(_)));
        let (constituency, area) = if has_const {
            (s.constituency_for(i, &owner, election), None)
        } else {
            (None, Some(s.area_for(i)))
        };
        // "Turnout was 72%": of the seat the article is about, or of the country? Not a guess.
        let ambiguity = (!has_const && !names_area && !s.any(0, s.tokens.len(), &["nationally", "national", "overall", "country"]))
            .then(|| "the turnout names no constituency or area: the seat in the article, or the whole country?".to_owned());
        out.push(Draft {
            constituency,
            area,
            ambiguity,
            ..draft(Kind::Turnout, election, fig, comparator)
        });
        return;
    }
    if !window(&["vote", "votes", "share", "support", "ballots"]) || forecast(s, i) {
        return;
    }
    let mut change_from = None;
    let before = s.w(i.wrapping_sub(1));
    // "30.4% of the vote, up 1.5 points": the change of the share just read
    if matches!(before, "up" | "down") {
        if let Some(last) = out
            .last()
            .filter(|d| d.kind == Kind::Share && d.change_from.is_none())
            .cloned()
        {
            let value = if before == "down" {
                -fig.value
            } else {
                fig.value
            };
            out.push(Draft {
                change_from: s.elections.previous,
                claimed: Claimed::Number(Figure {
                    value,
                    decimals: fig.decimals,
                }),
                comparator,
                ..last
            });
            return;
        }
    }
    if matches!(before, "lost" | "shed" | "dropped")
        || (before == "by" && s.any(a, i, &["fell", "dropped", "down", "cut"]))
    {
        fig.value = -fig.value;
        change_from = s.elections.previous;
    } else if before == "by" && s.any(a, i, &["increased", "rose", "up"]) {
        change_from = s.elections.previous;
    }
    if person.is_none() && party.is_none() {
        return;
    }
    let has_const = s
        .mentions
        .iter()
        .any(|m| matches!(m.what, What::Constituency(_)))
        || person.is_some()
        || s.any(a, b, &["constituency", "seat"]);
    if has_const {
        let constituency = s.constituency_for(i, &owner, election);
        if constituency.is_some() {
            out.push(Draft {
                constituency,
                person,
                party,
                change_from,
                ..draft(Kind::Share, election, fig, comparator)
            });
        }
    } else {
        out.push(Draft {
            area: Some(s.area_for(i)),
            party,
            change_from,
            ..draft(Kind::Share, election, fig, comparator)
        });
    }
}

fn seats_claim(
    s: &Sentence,
    i: usize,
    end: usize,
    fig: Figure,
    comparator: Comparator,
    out: &mut Vec<Draft>,
) {
    let (a, _b) = s.clause(i);
    // "Labour and the Liberal Democrats ... were reduced to just one seat each"
    if s.any(end, (end + 3).min(s.tokens.len()), &["each"]) {
        let mut parties: Vec<PartyCode> = Vec::new();
        for m in s.mentions.iter().filter(|m| m.end <= i) {
            if let What::Party(p) = &m.what {
                if !parties.contains(p) && !party_modifier(s, m) {
                    parties.push(p.clone());
                }
            }
        }
        let area = s.area_for(i);
        let election = s.election_for(i, end);
        for p in parties {
            out.push(Draft {
                area: Some(area.clone()),
                party: Some(p),
                ..draft(Kind::Seats, election, fig, comparator)
            });
        }
        return;
    }
    let mut owner = s.owner_before(a, i);
    if owner == Owner::None {
        owner = s.owner_before(0, i);
    }
    let party = match owner {
        Owner::Party(p) => p,
        Owner::Person(p) => match s.g.people[p].candidacy_near(s.elections.this) {
            Some(c) => c.party.clone(),
            None => return,
        },
        Owner::None => return,
    };
    let area = s.area_for(i);
    let verb = (a.max(i.saturating_sub(4))..i)
        .rev()
        .map(|k| s.w(k))
        .find(|w| lexicon::is_win_word(w) || lexicon::is_lose_word(w) || *w == "made");
    let gains = matches!(s.w(end), "gains" | "losses" | "more" | "fewer");
    let mut election = s.election_for(i, end);
    let mut change_from = None;
    let mut value = fig.value;
    match (verb, gains) {
        (_, true) => {
            change_from = s.elections.previous;
            if matches!(s.w(end), "losses" | "fewer") {
                value = -value;
            }
        }
        (Some("gained" | "gain" | "gains" | "gaining"), _) => change_from = s.elections.previous,
        (Some("lost" | "lose" | "losing"), _) => {
            change_from = s.elections.previous;
            value = -value;
        }
        _ => {}
    }
    // "Labour lost 40 and the Liberal Democrats 10": the figure shares the verb before it
    let gapped = out
        .last()
        .filter(|d| d.kind == Kind::Seats && change_from.is_none())
        .filter(|_| {
            s.mentions
                .iter()
                .any(|m| m.end == i && matches!(m.what, What::Party(_)))
        });
    if let Some(g) = gapped {
        change_from = g.change_from;
        if let Claimed::Number(f) = g.claimed {
            if f.value < 0.0 {
                value = -value;
            }
        }
    }
    if change_from.is_some() {
        election = s.elections.this;
    }
    if change_from.is_some() && s.elections.previous.is_none() {
        return;
    }
    out.push(Draft {
        area: Some(area.clone()),
        party: Some(party.clone()),
        change_from,
        ..draft(
            Kind::Seats,
            election,
            Figure {
                value,
                decimals: fig.decimals,
            },
            comparator,
        )
    });
    // "lost 40 of the 41 Scottish seats they won in 2010": the 41 is the earlier count
    if change_from.is_some() && value < 0.0 && s.w(end) == "of" {
        if let Some(m) = s
            .mentions
            .iter()
            .find(|m| m.start > end && m.start <= end + 3 && matches!(m.what, What::Number(_)))
        {
            if let (What::Number(total), Some(prev)) = (&m.what, s.elections.previous) {
                if s.any(
                    m.end,
                    s.tokens.len(),
                    &["previously", "2010", "won", "had", "held"],
                ) {
                    out.push(Draft {
                        area: Some(area),
                        party: Some(party),
                        ..draft(Kind::Seats, prev, figure(total), Comparator::Eq)
                    });
                }
            }
        }
    }
}

/// Claims without figures in digits: "wiped out" (no seats), "the only Tory MP in Scotland" (one),
/// "more than half of the vote", places ("finishing second").
pub fn words(s: &Sentence, out: &mut Vec<Draft>) {
    let n = s.tokens.len();
    for i in 0..n {
        let w = s.w(i);
        let (a, _) = s.clause(i);
        // "wiped out on Merseyside"
        if w == "wiped" && s.w(i + 1) == "out" {
            if let Owner::Party(p) = s.owner_before(a, i) {
                let area = s.area_for(i);
                out.push(Draft {
                    area: Some(area),
                    party: Some(p),
                    ..draft(
                        Kind::Seats,
                        s.elections.this,
                        Figure::integer(0),
                        Comparator::Eq,
                    )
                });
            }
        }
        // "the only Tory MP in Scotland"
        if matches!(w, "only") && s.w(i.wrapping_sub(1)) == "the" {
            if let Some(Mention {
                what: What::Party(p),
                end,
                ..
            }) = s.mention_at(i + 1)
            {
                if matches!(s.w(*end), "mp" | "seat") {
                    let area = s.area_for(i);
                    let election = match (s.w(i.wrapping_sub(2)), s.elections.previous) {
                        ("was" | "had" | "been", Some(prev)) => prev,
                        _ => s.elections.this,
                    };
                    out.push(Draft {
                        area: Some(area),
                        party: Some(p.clone()),
                        ..draft(Kind::Seats, election, Figure::integer(1), Comparator::Eq)
                    });
                }
            }
        }
        // "more than half of the vote"
        if w == "half" && s.w(i + 1) == "of" && s.any(i + 2, (i + 5).min(n), &["vote", "votes"]) {
            let comparator = match comparator_before(s, i) {
                Comparator::Eq => Comparator::Approx,
                c => c,
            };
            let owner = s.owner_before(a, i);
            let owner = if owner == Owner::None {
                s.owner_before(0, i)
            } else {
                owner
            };
            let (person, party) = owner.parts(s.g, s.elections.this);
            if let Some(constituency) = s
                .constituency_for(i, &owner, s.elections.this)
                .filter(|_| person.is_some() || party.is_some())
            {
                out.push(Draft {
                    constituency: Some(constituency),
                    person,
                    party,
                    ..draft(
                        Kind::Share,
                        s.elections.this,
                        Figure::integer(50),
                        comparator,
                    )
                });
            }
        }
        // "increasing his majority": the majority went up
        let (_, clause_end) = s.clause(i);
        if matches!(w, "increased" | "increasing" | "increases")
            && matches!(s.w(i + 1), "his" | "her" | "their" | "its" | "the")
            && s.w(i + 2) == "majority"
            && !(s.any(i, clause_end, &["by"])
                && s.mentions.iter().any(|m| {
                    m.start > i && m.start < clause_end && matches!(m.what, What::Number(_))
                }))
        {
            if let Some(prev) = s.elections.previous {
                let owner = s.owner_before(a, i);
                let (person, party) = owner.parts(s.g, s.elections.this);
                if let Some(c) = s.constituency_for(i, &owner, s.elections.this) {
                    out.push(Draft {
                        constituency: Some(c),
                        person,
                        party,
                        change_from: Some(prev),
                        ..draft(
                            Kind::Majority,
                            s.elections.this,
                            Figure::integer(0),
                            Comparator::Gt,
                        )
                    });
                }
            }
        }
        // places: "finishing second in Thanet South", "came second", "third largest party"
        if let Some(Mention {
            what: What::Ordinal(place),
            ..
        }) = s.mention_at(i)
        {
            let p1 = s.w(i.wrapping_sub(1));
            let p2 = s.w(i.wrapping_sub(2));
            let finishing = matches!(
                p1,
                "finishing" | "finished" | "came" | "come" | "coming" | "placed" | "finish"
            ) || (p1 == "in" && matches!(p2, "came" | "come" | "coming"))
                // "with UKIP second"
                                || s.mentions.iter().any(|m| {
                    m.end == i
                        && matches!(m.what, What::Party(_) | What::Person(_))
                        && (s.w(m.start.wrapping_sub(1)) == "with"
                            // "with UKIP's Jane Collins second"
                            || (s.w(m.start.wrapping_sub(1)) == "'s" && s.w(m.start.wrapping_sub(3)) == "with"))
                });
            if finishing {
                rank_claims(s, i, *place, out);
            } else if matches!(s.w(i + 1), "largest" | "biggest") && s.w(i + 2) == "party" {
                if let Owner::Party(p) = s.owner_before(0, i) {
                    out.push(Draft {
                        area: Some(s.area_for(i)),
                        party: Some(p),
                        ..draft(
                            Kind::Rank,
                            s.elections.this,
                            Figure::integer(*place as i64),
                            Comparator::Eq,
                        )
                    });
                }
            }
        }
    }
}

fn rank_claims(s: &Sentence, i: usize, place: u32, out: &mut Vec<Draft>) {
    let (a, b) = s.clause(i);
    let owner = s.owner_before(a, i);
    let owner = if owner == Owner::None {
        s.owner_before(0, i)
    } else {
        owner
    };
    let (person, party) = owner.parts(s.g, s.elections.this);
    if person.is_none() && party.is_none() {
        return;
    }
    // "in both of these constituencies": the seats of the sentence before
    let constituencies: Vec<ConstituencyId> =
        if s.any(i, b, &["these", "both", "those"]) && !s.mem.last_constituencies.is_empty() {
            s.mem.last_constituencies.clone()
        } else {
            s.constituency_for(i, &owner, s.elections.this)
                .into_iter()
                .collect()
        };
    for c in constituencies {
        out.push(Draft {
            constituency: Some(c),
            person,
            party: party.clone(),
            ..draft(
                Kind::Rank,
                s.elections.this,
                Figure::integer(place as i64),
                Comparator::Eq,
            )
        });
    }
}

/// Is the party mention at `m` a modifier of a noun ("a Labour stronghold", "Labour candidate")
/// rather than a party acting?
fn party_modifier(s: &Sentence, m: &Mention) -> bool {
    matches!(
        s.w(m.end),
        "stronghold"
            | "strongholds"
            | "leader"
            | "leaders"
            | "seat"
            | "seats"
            | "candidate"
            | "candidates"
            | "mp"
            | "mps"
            | "minister"
            | "ministers"
            | "majority"
            | "target"
            | "targets"
            | "government"
            | "heartland"
            | "heartlands"
            | "defector"
            | "member"
            | "members"
            | "rival"
            | "deputy"
            | "chief"
            | "hopeful"
            | "activists"
            | "supporters"
            | "vote"
            | "share"
            | "campaign"
            | "politician"
            | "peer"
            | "veteran"
            | "councillor"
            | "leadership"
            | "party"
            | "'s"
            | "-"
            | "headquarters"
            | "figures"
            | "figure"
    )
}

/// Who won which seat: verbs of winning and losing with the people, parties and seats around them.
pub fn outcomes(s: &Sentence, out: &mut Vec<Draft>) {
    let n = s.tokens.len();
    let verbs: Vec<usize> = (0..n).filter(|&k| verb_class(s, k).is_some()).collect();
    let mut done: Vec<ConstituencyId> = Vec::new();
    let mut prev_subject: Option<(Vec<usize>, Option<PartyCode>)> = None;
    for (vi, &k) in verbs.iter().enumerate() {
        let Some(class) = verb_class(s, k) else {
            continue;
        };
        let (a, b) = s.clause(k);
        let subj_from = verbs[..vi]
            .iter()
            .rev()
            .copied()
            .find(|&p| p >= a)
            .map(|p| p + 1)
            .unwrap_or(a);
        let obj_to = verbs.get(vi + 1).copied().filter(|&q| q < b).unwrap_or(b);
        // a forecast or the past: "was hoping to win", "first won the seat in 2010"
        if (k.saturating_sub(4).max(a)..k).any(|q| lexicon::is_forecast_word(s.w(q))) {
            prev_subject = None;
            continue;
        }
        // "first won the seat in 2010", "In 2010 he won": about another election
        if s.mentions.iter().any(|m| {
            matches!(m.what, What::Year(y) if y != s.elections.this.0)
                && ((m.start > k && m.start <= k + 8 && m.start < obj_to)
                    || (m.start >= a && m.end <= k && m.start + 4 >= k))
        }) {
            continue;
        }
        if s.any(
            k.saturating_sub(2).max(a),
            k,
            &["had", "first", "to", "would", "could", "will"],
        ) && class != VerbClass::Lose
        {
            prev_subject = None;
            continue;
        }
        // "elections are held", "was won by": passive forms of a win verb name no winner here
        if class == VerbClass::Win
            && matches!(
                s.w(k.wrapping_sub(1)),
                "is" | "are" | "was" | "were" | "be" | "been" | "being"
            )
            && !matches!(s.w(k), "re-elected" | "elected" | "returned")
        {
            continue;
        }
        // "winning 54% of the vote", "took more than half": a figure, not a seat
        // ("retained Rotherham with 19,860 votes" names its seat first)
        let figure_first = (k + 1..(k + 4).min(n))
            .take_while(|q| {
                !matches!(
                    s.mention_at(*q).map(|m| &m.what),
                    Some(What::Constituency(_))
                )
            })
            .any(|q| {
                matches!(s.mention_at(q).map(|m| &m.what), Some(What::Number(_)))
                    || matches!(s.w(q), "half" | "votes")
            });
        if class == VerbClass::Win && figure_first {
            continue;
        }
        let in_span = |from: usize, to: usize| {
            s.mentions
                .iter()
                .filter(move |m| m.start >= from && m.end <= to)
        };
        // the subject: people and parties before the verb; a coordinated verb or a participle
        // shares the subject of the verb before it
        let coordinated = matches!(s.w(k.wrapping_sub(1)), "and" | ",")
            || (s.w(k.wrapping_sub(1)) == "also" && matches!(s.w(k.wrapping_sub(2)), "and" | ","));
        let participle = s.w(k).ends_with("ing");
        let (mut subj_people, mut subj_party) = (Vec::new(), None);
        let mut subj_seats = Vec::new();
        for m in in_span(subj_from, k) {
            match &m.what {
                What::Person(p)
                    if !matches!(s.w(m.end), "'s")
                        || !matches!(
                            s.w(m.end + 1),
                            "former" | "constituency" | "seat" | "old"
                        ) =>
                {
                    subj_people.push(*p)
                }
                What::PersonPronoun if matches!(s.w(m.start), "he" | "she") => {
                    if let Some(p) = s.pronoun_person(m.start) {
                        subj_people.push(p)
                    }
                }
                What::Party(p)
                    if !matches!(s.w(m.start.wrapping_sub(1)), "from" | "to" | "for" | "by")
                        && !party_modifier(s, m) =>
                {
                    subj_party = Some(p.clone())
                }
                What::PartyPronoun => subj_party = s.pronoun_party(m.start),
                What::Constituency(c) => subj_seats.push(c.clone()),
                _ => {}
            }
        }
        if matches!(s.w(k.wrapping_sub(1)), "who" | "which" | "that") {
            if let Some(m) = s.mentions.iter().find(|m| m.end + 1 == k) {
                match &m.what {
                    What::Party(p) => {
                        subj_people.clear();
                        subj_party = Some(p.clone());
                    }
                    What::Person(p) => {
                        subj_people = vec![*p];
                        subj_party = None;
                    }
                    _ => {}
                }
            }
        }
        if coordinated
            && prev_subject
                .as_ref()
                .is_some_and(|(p, q)| !p.is_empty() || q.is_some())
        {
            if let Some((p, q)) = prev_subject.clone() {
                subj_people = p;
                subj_party = q;
            }
        }
        if (coordinated || participle) && subj_people.is_empty() && subj_party.is_none() {
            if let Some((p, q)) = prev_subject.clone() {
                subj_people = p;
                subj_party = q;
            } else if participle && class != VerbClass::Lose {
                // "As the SNP swept up one Labour stronghold after another - toppling ...": the
                // last party acting before the verb
                subj_party = s
                    .mentions
                    .iter()
                    .filter(|m| {
                        m.end <= k && matches!(m.what, What::Party(_)) && !party_modifier(s, m)
                    })
                    .filter_map(|m| {
                        if let What::Party(p) = &m.what {
                            Some(p.clone())
                        } else {
                            None
                        }
                    })
                    .next_back();
            }
        }
        // "Labour's Mr Balls lost": the person is the subject
        if !subj_people.is_empty() && class == VerbClass::Lose {
            subj_party = None;
        }
        prev_subject = Some((subj_people.clone(), subj_party.clone()));
        // the object: seats, "to X" (winner), "for X" (winner), "by X" (winner), "from X" (loser)
        let mut seats: Vec<(ConstituencyId, Option<usize>)> = Vec::new();
        let mut winner_party: Option<PartyCode> = None;
        let mut winner_person: Option<usize> = None;
        let mut losers: Vec<usize> = Vec::new();
        let mut from_party: Option<PartyCode> = None;
        let mut after_to = false;
        for m in in_span(k + 1, obj_to) {
            let before = s.w(m.start.wrapping_sub(1));
            let before2 = s.w(m.start.wrapping_sub(2));
            let marker = |w: &str| {
                before == w
                    || (matches!(
                        before,
                        "the" | "a" | "conservative" | "labour" | "rival" | "candidate"
                    ) && before2 == w)
                    || (s.any(m.start.saturating_sub(4), m.start, &[w])
                        && !s.any(m.start.saturating_sub(4), m.start, &[","]))
            };
            match &m.what {
                What::Constituency(c) => seats.push((c.clone(), None)),
                What::Party(p)
                    if marker("to")
                        || marker("by")
                        || (marker("for") && class != VerbClass::Lose) =>
                {
                    if winner_party.is_none() {
                        winner_party = Some(p.clone());
                    }
                    after_to = true;
                }
                What::Party(p) if marker("from") => from_party = Some(p.clone()),
                What::Person(p)
                    if (s.w(m.end) == "'s"
                        && matches!(
                            s.w(m.end + 1),
                            "former" | "constituency" | "seat" | "old"
                        ))
                        || (matches!(before, "of")
                            && matches!(before2, "constituency" | "seat"))
                        || s.any(
                            m.start.saturating_sub(5),
                            m.start,
                            &["constituency", "seat"],
                        ) && s.any(m.start.saturating_sub(3), m.start, &["of"]) =>
                {
                    let this = s.elections.this;
                    if let Some(c) = s.g.people[*p]
                        .candidacy(this)
                        .or_else(|| s.g.people[*p].candidacy_near(this))
                    {
                        seats.push((c.constituency.clone(), Some(*p)));
                    }
                }
                What::Person(p) => {
                    if marker("to") && matches!(class, VerbClass::Lose | VerbClass::Passive)
                        || after_to && winner_person.is_none()
                    {
                        winner_person = Some(*p);
                    } else if matches!(class, VerbClass::Beat | VerbClass::Lose) {
                        losers.push(*p);
                    }
                }
                _ => {}
            }
        }
        // does the verb speak of a seat at all?
        let seat_words = s.any(
            subj_from,
            obj_to,
            &[
                "seat",
                "seats",
                "constituency",
                "constituencies",
                "mp",
                "term",
                "out",
                "parliament",
                "commons",
            ],
        );
        let named_seat = !seats.is_empty() || !subj_seats.is_empty();
        let speaks_of_seat = match class {
            VerbClass::Win => named_seat || seat_words,
            VerbClass::Beat => true,
            VerbClass::Lose => {
                named_seat
                    || seat_words
                    || winner_party.is_some()
                    || winner_person.is_some()
                    || !losers.is_empty()
                    || matches!(s.w(k), "casualty" | "casualties" | "defeat")
            }
            VerbClass::Passive => named_seat,
        };
        if !speaks_of_seat {
            continue;
        }
        // roles by verb class
        match class {
            VerbClass::Win | VerbClass::Beat => {
                if winner_party.is_none() && subj_people.is_empty() {
                    winner_party = subj_party.clone();
                }
                if winner_person.is_none() {
                    winner_person = subj_people.last().copied();
                }
            }
            VerbClass::Lose => losers.extend(subj_people.iter().copied()),
            VerbClass::Passive => {}
        }
        if seats.is_empty() {
            seats.extend(subj_seats.into_iter().map(|c| (c, None)));
        }
        let this = s.elections.this;
        let seat_of = |p: usize| {
            s.g.people[p]
                .candidacy(this)
                .or_else(|| s.g.people[p].candidacy_near(this))
                .map(|c| c.constituency.clone())
        };
        if seats.is_empty() {
            for p in winner_person.iter().chain(losers.iter()) {
                if let Some(c) = seat_of(*p) {
                    seats.push((c, Some(*p)));
                }
            }
        }
        let gain_verb = matches!(
            s.w(k),
            "gained"
                | "gain"
                | "gains"
                | "gaining"
                | "took"
                | "taking"
                | "captured"
                | "capturing"
                | "snatched"
                | "snatching"
                | "seized"
        );
        for (seat, via) in seats {
            if done.contains(&seat) {
                continue;
            }
            let (claimed, person) = if let Some(p) = &winner_party {
                (
                    Outcome::Party(p.clone()),
                    // the candidate named with a party's win is its winner, never the loser
                    winner_person
                        .filter(|w| seat_of(*w).as_ref() == Some(&seat))
                        .or(via)
                        .filter(|w| {
                            s.g.people[*w]
                                .candidacy(this)
                                .is_some_and(|c| &c.party == p)
                        }),
                )
            } else if let Some(w) = winner_person.filter(|w| seat_of(*w).as_ref() == Some(&seat)) {
                (Outcome::Won, Some(w))
            } else if let Some(l) = losers
                .iter()
                .copied()
                .find(|l| seat_of(*l).as_ref() == Some(&seat))
            {
                (Outcome::Lost, Some(l))
            } else if let Some(p) = via.filter(|_| class == VerbClass::Lose) {
                (Outcome::Lost, Some(p))
            } else {
                // a seat with no one said to have won or lost it: a person of this sentence standing there
                let here = s
                    .mentions
                    .iter()
                    .filter_map(|m| {
                        if let What::Person(p) = m.what {
                            Some(p)
                        } else {
                            None
                        }
                    })
                    .find(|p| seat_of(*p).as_ref() == Some(&seat));
                match (here, class) {
                    (Some(p), VerbClass::Win | VerbClass::Beat)
                        if s.g.people[p].candidacy(this).is_some() =>
                    {
                        (Outcome::Won, Some(p))
                    }
                    (Some(p), VerbClass::Lose) => (Outcome::Lost, Some(p)),
                    _ => continue,
                }
            };
            done.push(seat.clone());
            let party = match &claimed {
                Outcome::Party(p) => Some(p.clone()),
                _ => {
                    person.and_then(|p| s.g.people[p].candidacy_near(this).map(|c| c.party.clone()))
                }
            };
            out.push(Draft {
                kind: Kind::Outcome,
                election: this,
                change_from: None,
                constituency: Some(seat.clone()),
                area: None,
                party,
                person,
                versus: None,
                comparator: Comparator::Eq,
                claimed: Claimed::Outcome(claimed),
                ambiguity: None,
            });
            // "gained Cardiff Central from the Liberal Democrats": who held it before
            if let (Some(fp), Some(prev), true) = (&from_party, s.elections.previous, gain_verb) {
                out.push(Draft {
                    kind: Kind::Outcome,
                    election: prev,
                    change_from: None,
                    constituency: Some(seat),
                    area: None,
                    party: Some(fp.clone()),
                    person: None,
                    versus: None,
                    comparator: Comparator::Eq,
                    claimed: Claimed::Outcome(Outcome::Party(fp.clone())),
                    ambiguity: None,
                });
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VerbClass {
    /// The subject won the seat (held, gained, retained).
    Win,
    /// The subject beat the object (defeated, unseated, toppled).
    Beat,
    /// The subject (or the object) lost.
    Lose,
    /// The seat went to someone (swallowed by, going to, a hold for).
    Passive,
}

fn verb_class(s: &Sentence, k: usize) -> Option<VerbClass> {
    let w = s.w(k);
    let next = s.w(k + 1);
    if matches!(w, "win" | "victory")
        && matches!(s.w(k.wrapping_sub(1)), "his" | "her" | "their" | "its")
    {
        return None;
    }
    Some(match w {
        "beat" | "beating" | "defeated" | "defeating" | "unseated" | "unseating" | "toppled"
        | "toppling" | "ousted" | "ousting" | "overturned" => {
            if matches!(s.w(k.wrapping_sub(1)), "was" | "were" | "been") {
                VerbClass::Lose
            } else {
                VerbClass::Beat
            }
        }
        "swallowed" | "going" | "went" | "fell" | "taken"
            if (matches!(next, "to" | "by")
                || s.any(k + 1, (k + 4).min(s.tokens.len()), &["to", "by"])) =>
        {
            VerbClass::Passive
        }
        "hold" | "gain" if matches!(s.w(k.wrapping_sub(1)), "a") && next == "for" => {
            VerbClass::Passive
        }
        "hung" if next == "on" => VerbClass::Win,
        "failed"
            if s.any(
                k + 1,
                (k + 5).min(s.tokens.len()),
                &["bid", "unseat", "hold", "win", "retain"],
            ) =>
        {
            VerbClass::Lose
        }
        "defeat" if matches!(s.w(k.wrapping_sub(1)), "his" | "her") => VerbClass::Lose,
        "casualty" | "casualties" => VerbClass::Lose,
        "defeat" | "demise" => return None,
        "victory" | "sweep" | "becomes" | "became" | "returned" | "remains" | "remained"
        | "remaining" | "elected" | "swept" => {
            if matches!(w, "returned" | "swept" | "becomes" | "became")
                && !s.any(
                    k,
                    (k + 6).min(s.tokens.len()),
                    &["mp", "parliament", "commons"],
                )
            {
                return None;
            }
            if matches!(w, "remains" | "remained" | "remaining")
                && !s.mentions.iter().any(|m| {
                    m.start > k && m.start <= k + 4 && matches!(m.what, What::Constituency(_))
                })
                && !s.any(k, (k + 4).min(s.tokens.len()), &["mp", "seat"])
            {
                return None;
            }
            if w == "elected"
                && s.w(k.wrapping_sub(1)) != "re"
                && !matches!(s.w(k.wrapping_sub(1)), "was" | "been" | "being")
            {
                return None;
            }
            VerbClass::Win
        }
        w if lexicon::is_lose_word(w) => VerbClass::Lose,
        // "the seat was won by Labour's Jo Stevens"
        w if lexicon::is_win_word(w)
            && matches!(s.w(k.wrapping_sub(1)), "was" | "were" | "been")
            && next == "by" =>
        {
            VerbClass::Passive
        }
        w if lexicon::is_win_word(w) => VerbClass::Win,
        _ => return None,
    })
}
