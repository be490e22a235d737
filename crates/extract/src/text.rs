//! Sentences and tokens with byte offsets into the article body.

use compact_str::CompactString;

/// A token of the article: a word, a number or one punctuation character.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lowercased, accents folded, `&` read as `and`, curly apostrophes straightened.
    /// Inline (no allocation) for words up to 24 bytes.
    pub norm: CompactString,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word { capitalised: bool },
    Number,
    Punct,
}

impl Token {
    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word { .. })
    }
    pub fn is_capitalised(&self) -> bool {
        matches!(self.kind, TokenKind::Word { capitalised: true })
    }
    pub fn is(&self, s: &str) -> bool {
        self.norm == s
    }
}

/// The longest sentence read as one, in bytes. A run-on text longer than this (no newspaper
/// sentence is) is read in pieces cut at white space: reading a sentence costs time in the
/// square of its mentions, and every claim quotes its whole sentence, so an unbounded
/// sentence would let one article take seconds and gigabytes.
pub const MAX_SENTENCE_BYTES: usize = 1_000;

/// Byte ranges of the sentences of `body`: split at line breaks and at `.`, `!`, `?` followed by
/// white space and a capital letter, digit or quote, except after a title such as `Mr`.
/// None is longer than [`MAX_SENTENCE_BYTES`]: a longer one is cut at its last white space
/// before the limit (or, without any, at a character boundary).
pub fn sentences(body: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, end) in whole_sentences(body) {
        let mut start = start;
        while end - start > MAX_SENTENCE_BYTES {
            let mut cut = start + MAX_SENTENCE_BYTES;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            let piece = &body[start..cut];
            if let Some((at, c)) = piece.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
                if at > 0 {
                    cut = start + at + c.len_utf8();
                }
            }
            push_trimmed(body, start, cut, &mut out);
            start = cut;
        }
        push_trimmed(body, start, end, &mut out);
    }
    out
}

fn whole_sentences(body: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let boundary_end = if c == '\n' {
            Some(pos)
        } else if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            // closing quotes stay with the sentence
            while j < chars.len()
                && matches!(chars[j].1, '"' | '\'' | '\u{201d}' | '\u{2019}' | ')')
            {
                j += 1;
            }
            let end = chars.get(j).map(|c| c.0).unwrap_or(body.len());
            let ws = j < chars.len() && chars[j].1.is_whitespace() && chars[j].1 != '\n';
            let next = chars[j..]
                .iter()
                .find(|c| !c.1.is_whitespace())
                .map(|c| c.1);
            let starts_new = next.is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || "\"'\u{201c}\u{2018}".contains(n)
            });
            if ws && starts_new && !after_title(&body[start..pos]) {
                Some(end)
            } else {
                None
            }
        } else {
            None
        };
        if let Some(end) = boundary_end {
            push_trimmed(body, start, end, &mut out);
            // skip to the next non-space character
            let mut j = i + 1;
            while j < chars.len() && chars[j].0 < end {
                j += 1;
            }
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            start = chars.get(j).map(|c| c.0).unwrap_or(body.len());
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(body, start, body.len(), &mut out);
    out
}

fn after_title(before: &str) -> bool {
    let last = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    matches!(
        last,
        "Mr" | "Mrs" | "Ms" | "Dr" | "St" | "No" | "Prof" | "Rev" | "Gen" | "Lt" | "Col" | "Capt"
    )
}

fn push_trimmed(body: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &body[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if s.trim().chars().any(char::is_alphanumeric) {
        out.push((start + lead, end - trail));
    }
}

/// Folds a character for matching: lowercase, common Latin accents removed.
fn fold(c: char, out: &mut CompactString) {
    let f = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' | 'ŵ' | 'Ŵ' => 'y',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        '\u{2019}' | '\u{2018}' | '`' => '\'',
        '\u{2013}' | '\u{2014}' => '-',
        other => {
            out.extend(other.to_lowercase());
            return;
        }
    };
    out.push(f);
}

/// Normalises a name for lookup the way tokens are normalised: `Ynys Môn` → `ynys mon`,
/// `Lancaster & Fleetwood` → `lancaster and fleetwood`, commas and parentheses dropped.
pub fn normalise_name(name: &str) -> String {
    let toks = tokenize(name, 0);
    let words: Vec<&str> = toks
        .iter()
        .filter(|t| t.kind != TokenKind::Punct || t.norm == "'s")
        .map(|t| t.norm.as_str())
        .collect();
    words.join(" ")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && c != 'Â'
}

/// Splits `text` (which starts at byte `offset` of the body) into tokens.
pub fn tokenize(text: &str, offset: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let at = |k: usize| chars.get(k).map(|c| c.1);
    let pos = |k: usize| chars.get(k).map(|c| c.0).unwrap_or(text.len());
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if c.is_whitespace() || c == 'Â' || c == '\u{a0}' || c == '\u{ad}' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            // digits with internal separators: 25,194  51.5
            i += 1;
            while i < n {
                match at(i) {
                    Some(d) if d.is_ascii_digit() => i += 1,
                    Some(',' | '.') if at(i + 1).is_some_and(|d| d.is_ascii_digit()) => i += 1,
                    _ => break,
                }
            }
            let s = &text[pos(start)..pos(i)];
            out.push(Token {
                start: offset + pos(start),
                end: offset + pos(i),
                norm: s.into(),
                kind: TokenKind::Number,
            });
            continue;
        }
        if is_word_char(c) {
            i += 1;
            while i < n {
                match at(i) {
                    Some(d) if is_word_char(d) && !d.is_ascii_digit() => i += 1,
                    Some(d)
                        if d.is_ascii_digit()
                            && at(i.wrapping_sub(1)).is_some_and(|p| p.is_ascii_digit()) =>
                    {
                        i += 1
                    }
                    Some('-' | '\'' | '\u{2019}' | '.')
                        if at(i + 1).is_some_and(|d| d.is_alphabetic() && d != 'Â') =>
                    {
                        // keep hyphenated words and O'Neill together, but split the possessive 's
                        let q = at(i).unwrap_or(' ');
                        if (q == '\'' || q == '\u{2019}')
                            && matches!(at(i + 1), Some('s'))
                            && !at(i + 2).is_some_and(is_word_char)
                        {
                            break;
                        }
                        if q == '.' && (at(i + 2) != Some('.')) {
                            // an initial like "J.K." is rare in news; a full stop ends the word
                            break;
                        }
                        i += 1;
                    }
                    _ => break,
                }
            }
            let s = &text[pos(start)..pos(i)];
            let norm = if s.is_ascii() {
                let mut norm = CompactString::from(s);
                norm.make_ascii_lowercase();
                norm
            } else {
                let mut norm = CompactString::with_capacity(s.len());
                for ch in s.chars() {
                    fold(ch, &mut norm);
                }
                norm
            };
            let capitalised = s.chars().next().is_some_and(char::is_uppercase);
            out.push(Token {
                start: offset + pos(start),
                end: offset + pos(i),
                norm,
                kind: TokenKind::Word { capitalised },
            });
            continue;
        }
        // possessive 's / ’s
        if (c == '\'' || c == '\u{2019}')
            && at(i + 1) == Some('s')
            && !at(i + 2).is_some_and(is_word_char)
            && !out.is_empty()
        {
            out.push(Token {
                start: offset + pos(i),
                end: offset + pos(i + 2),
                norm: "'s".into(),
                kind: TokenKind::Punct,
            });
            i += 2;
            continue;
        }
        let mut norm = CompactString::default();
        if c == '&' {
            norm.push_str("and");
            out.push(Token {
                start: offset + pos(i),
                end: offset + pos(i + 1),
                norm,
                kind: TokenKind::Word { capitalised: false },
            });
        } else {
            fold(c, &mut norm);
            out.push(Token {
                start: offset + pos(i),
                end: offset + pos(i + 1),
                norm,
                kind: TokenKind::Punct,
            });
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_full_stops_and_lines_but_not_after_titles() {
        let body = "Mr. Balls lost. He polled 18,354 votes.\nNew line here! \"Quote.\" Next";
        let s: Vec<&str> = sentences(body)
            .into_iter()
            .map(|(a, b)| &body[a..b])
            .collect();
        assert_eq!(
            s,
            vec![
                "Mr. Balls lost.",
                "He polled 18,354 votes.",
                "New line here!",
                "\"Quote.\"",
                "Next"
            ]
        );
    }

    #[test]
    fn a_run_on_sentence_is_read_in_pieces_cut_at_white_space() {
        // Given one "sentence" of 400 clauses with no full stop (80 KB)
        let clause = "Keir Starmer won Holborn for Labour with a majority of 17,048 and ";
        let body = clause.repeat(400);
        // When it is split into sentences
        let pieces = sentences(&body);
        // Then no piece is longer than the limit, each ends at a word, and together they
        // hold every word in order
        assert!(pieces.len() >= body.len() / MAX_SENTENCE_BYTES);
        for &(a, b) in &pieces {
            assert!(b - a <= MAX_SENTENCE_BYTES, "{}", b - a);
            assert!(body[b..].is_empty() || body[b..].starts_with(' '));
        }
        let words: Vec<&str> = pieces
            .iter()
            .flat_map(|&(a, b)| body[a..b].split_whitespace())
            .collect();
        assert_eq!(words, body.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn a_run_on_text_without_white_space_is_cut_on_character_boundaries() {
        let body = "é".repeat(3 * MAX_SENTENCE_BYTES);
        let pieces = sentences(&body);
        let joined: String = pieces.iter().map(|&(a, b)| &body[a..b]).collect();
        assert_eq!(joined, body);
        assert!(pieces.iter().all(|&(a, b)| b - a <= MAX_SENTENCE_BYTES));
    }

    #[test]
    fn decimals_and_thousands_stay_one_number_and_glued_units_split() {
        let t = tokenize("polled 19,691votes, 51.5%", 0);
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, vec!["polled", "19,691", "votes", ",", "51.5", "%"]);
    }

    #[test]
    fn possessives_split_and_ampersand_reads_and() {
        let t = tokenize("Labour’s Lancaster & Fleetwood Balls'", 0);
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            norms,
            vec![
                "labour",
                "'s",
                "lancaster",
                "and",
                "fleetwood",
                "balls",
                "'"
            ]
        );
    }

    #[test]
    fn mojibake_non_breaking_space_is_white_space() {
        let t = tokenize("theÂ Liberal", 0);
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, vec!["the", "liberal"]);
    }

    #[test]
    fn names_fold_accents_and_drop_commas() {
        assert_eq!(normalise_name("Ynys Môn"), "ynys mon");
        assert_eq!(normalise_name("Sheffield, Hallam"), "sheffield hallam");
        assert_eq!(normalise_name("Weston-Super-Mare"), "weston-super-mare");
    }
}
