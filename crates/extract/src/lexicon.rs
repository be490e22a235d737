//! The words the rules read: party names and nicknames, nations, compass words, number words,
//! first-name variants, and the verbs of winning and losing.

/// Party names and nicknames as the press writes them (normalised), with the official
/// abbreviation.
pub const PARTY_NAMES: &[(&str, &str)] = &[
    ("conservative", "Con"),
    ("conservatives", "Con"),
    ("conservative party", "Con"),
    ("tory", "Con"),
    ("tories", "Con"),
    ("labour", "Lab"),
    ("labor", "Lab"),
    ("labour party", "Lab"),
    ("labour and co-operative", "Lab"),
    ("liberal democrat", "LD"),
    ("liberal democrats", "LD"),
    ("lib dem", "LD"),
    ("lib dems", "LD"),
    ("libdem", "LD"),
    ("libdems", "LD"),
    ("liberal democrat party", "LD"),
    ("snp", "SNP"),
    ("scottish national party", "SNP"),
    ("scottish nationalists", "SNP"),
    ("ukip", "UKIP"),
    ("uk independence party", "UKIP"),
    ("united kingdom independence party", "UKIP"),
    ("green", "Green"),
    ("greens", "Green"),
    ("green party", "Green"),
    ("plaid cymru", "PC"),
    ("plaid", "PC"),
    ("dup", "DUP"),
    ("democratic unionist party", "DUP"),
    ("democratic unionists", "DUP"),
    ("sinn fein", "SF"),
    ("sdlp", "SDLP"),
    ("social democratic and labour party", "SDLP"),
    ("uup", "UUP"),
    ("ulster unionist party", "UUP"),
    ("ulster unionists", "UUP"),
    ("respect", "Res"),
    ("respect party", "Res"),
    ("alliance party", "APNI"),
];

/// Nation names and adjectives (normalised) → the contract's area name.
pub const NATION_NAMES: &[(&str, &str)] = &[
    ("uk", "UK"),
    ("united kingdom", "UK"),
    ("britain", "UK"),
    ("great britain", "UK"),
    ("england", "England"),
    ("english", "England"),
    ("scotland", "Scotland"),
    ("scottish", "Scotland"),
    ("wales", "Wales"),
    ("welsh", "Wales"),
    ("northern ireland", "Northern Ireland"),
];

pub fn is_compass(s: &str) -> bool {
    matches!(
        s,
        "north"
            | "south"
            | "east"
            | "west"
            | "mid"
            | "central"
            | "north east"
            | "north west"
            | "south east"
            | "south west"
            | "inner"
    )
}

/// Number words up to ninety-nine.
pub fn number_word(w: &str) -> Option<u32> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(i as u32);
    }
    if let Some(i) = TENS.iter().position(|u| *u == w) {
        return Some(20 + 10 * i as u32);
    }
    let (t, u) = w.split_once('-')?;
    let t = TENS.iter().position(|x| *x == t)?;
    let u = UNITS
        .iter()
        .position(|x| *x == u)
        .filter(|u| (1..10).contains(u))?;
    Some(20 + 10 * t as u32 + u as u32)
}

/// Ordinal words → place.
pub fn ordinal(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "2nd" => 2,
        "3rd" => 3,
        "4th" => 4,
        _ => return None,
    })
}

/// Groups of first names that name the same person (`Ed` / `Edward`).
const FIRST_NAME_GROUPS: &[&[&str]] = &[
    &["ed", "edward", "eddie", "ted"],
    &["vince", "vincent"],
    &["nick", "nicholas", "nicky"],
    &["chris", "christopher"],
    &["mike", "michael", "mick"],
    &["jim", "james", "jimmy", "jamie"],
    &["bob", "robert", "rob", "robbie", "bobby"],
    &["bill", "william", "will", "billy"],
    &["tom", "thomas", "tommy"],
    &["steve", "steven", "stephen"],
    &["dave", "david"],
    &["dan", "daniel", "danny"],
    &["andy", "andrew"],
    &["tony", "anthony"],
    &["tim", "timothy"],
    &["pete", "peter"],
    &["alex", "alexander", "alec"],
    &["sam", "samuel"],
    &["ben", "benjamin"],
    &["joe", "joseph"],
    &["jo", "joanna", "joanne", "josephine"],
    &[
        "kate",
        "katherine",
        "catherine",
        "kathryn",
        "katy",
        "cathy",
        "kathy",
    ],
    &["liz", "elizabeth", "beth", "lizzie"],
    &["jenny", "jennifer"],
    &["sue", "susan"],
    &["matt", "matthew"],
    &["greg", "gregory"],
    &["phil", "philip", "phillip"],
    &["ken", "kenneth"],
    &["ron", "ronald"],
    &["don", "donald"],
    &["gerry", "gerald", "gerard"],
    &["jeff", "jeffrey", "geoffrey", "geoff"],
    &["nic", "nicola"],
    &["jon", "jonathan", "johnny"],
    &["mo", "mohammed", "muhammad"],
    &["pat", "patrick", "patricia"],
    &["rich", "richard", "dick", "rick"],
    &["charlie", "charles"],
    &["fred", "frederick"],
    &["harry", "henry"],
    &["jack", "john"],
    &["maggie", "margaret", "meg"],
    &["di", "diana", "diane"],
    &["tam", "thomas"],
];

/// Other forms of a (normalised) first name.
pub fn first_name_variants(first: &str) -> Vec<&'static str> {
    FIRST_NAME_GROUPS
        .iter()
        .filter(|g| g.contains(&first))
        .flat_map(|g| g.iter().copied())
        .filter(|v| *v != first)
        .collect()
}

/// Titles before a surname.
pub fn is_title(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "dr"
            | "sir"
            | "dame"
            | "lord"
            | "lady"
            | "prof"
            | "professor"
    )
}

/// Verbs and nouns that say a seat was won, kept or taken.
pub fn is_win_word(w: &str) -> bool {
    matches!(
        w,
        "won"
            | "win"
            | "wins"
            | "winning"
            | "regained"
            | "regain"
            | "regaining"
            | "recaptured"
            | "clinched"
            | "clung"
            | "clinging"
            | "held"
            | "hold"
            | "holds"
            | "holding"
            | "retained"
            | "retain"
            | "retains"
            | "retaining"
            | "kept"
            | "keeps"
            | "keeping"
            | "took"
            | "take"
            | "takes"
            | "taking"
            | "taken"
            | "gained"
            | "gain"
            | "gains"
            | "gaining"
            | "captured"
            | "capturing"
            | "snatched"
            | "snatch"
            | "snatching"
            | "seized"
            | "claimed"
            | "claiming"
            | "defended"
            | "defending"
            | "re-elected"
            | "elected"
            | "returned"
            | "remains"
            | "remained"
            | "remaining"
            | "swept"
            | "sweep"
            | "victory"
            | "beat"
            | "beating"
            | "defeated"
            | "defeating"
            | "unseated"
            | "unseating"
            | "toppled"
            | "toppling"
            | "ousted"
            | "ousting"
            | "overturned"
            | "becomes"
            | "became"
            | "swallowed"
            | "going"
            | "went"
            | "fell"
    )
}

/// Verbs and nouns that say a candidate lost.
pub fn is_lose_word(w: &str) -> bool {
    matches!(
        w,
        "lost"
            | "lose"
            | "loses"
            | "losing"
            | "casualty"
            | "casualties"
            | "defeat"
            | "ejected"
            | "ousted"
            | "unseated"
            | "toppled"
            | "beaten"
            | "demise"
            | "failed"
    )
}

/// Words that mark a whole clause as a forecast: an exit poll, a prediction.
pub fn is_strong_forecast_word(w: &str) -> bool {
    matches!(
        w,
        "poll"
            | "polls"
            | "predicted"
            | "predicts"
            | "predict"
            | "projection"
            | "projected"
            | "projections"
            | "forecast"
            | "forecasts"
            | "survey"
    )
}

/// Words that mark a figure as a forecast, not a result.
pub fn is_forecast_word(w: &str) -> bool {
    matches!(
        w,
        "poll"
            | "polls"
            | "predicted"
            | "predicts"
            | "predict"
            | "projection"
            | "projected"
            | "projections"
            | "forecast"
            | "forecasts"
            | "expected"
            | "expects"
            | "likely"
            | "could"
            | "would"
            | "might"
            | "target"
            | "targets"
            | "hoping"
            | "hopes"
            | "needed"
            | "survey"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_words_read_units_tens_and_compounds() {
        assert_eq!(number_word("eight"), Some(8));
        assert_eq!(number_word("forty"), Some(40));
        assert_eq!(number_word("fifty-six"), Some(56));
        assert_eq!(number_word("twenty-zero"), None);
        assert_eq!(number_word("seats"), None);
    }

    #[test]
    fn first_names_have_their_variants() {
        assert!(first_name_variants("ed").contains(&"edward"));
        assert!(first_name_variants("vincent").contains(&"vince"));
        assert!(first_name_variants("zebedee").is_empty());
    }
}
