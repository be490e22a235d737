//! Text repairs for the official files' cells, and the case-insensitive comparisons the
//! derived figures use to look names up.

use std::borrow::Cow;

/// Invisible characters that carry no meaning in a name and are dropped: soft hyphen,
/// zero-width space, zero-width no-break space (a stray byte-order mark).
const INVISIBLE: [char; 3] = ['\u{AD}', '\u{200B}', '\u{FEFF}'];

/// Cleans one text cell of an official file: repairs mojibake (see [`repair_mojibake`]),
/// drops soft hyphens and other invisible characters, turns every run of whitespace
/// (including non-breaking spaces) into one space, and trims both ends.
///
/// Already clean ASCII text (nearly every cell) is returned borrowed, without copying.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if is_clean_ascii(s) {
        return Cow::Borrowed(s);
    }
    // Repair before touching whitespace: a mis-decoded character can include a
    // non-breaking space ("à" is C3 A0, shown as "Ã" and U+00A0).
    let repaired = repair_mojibake(s);
    let was_repaired = matches!(repaired, Cow::Owned(_));
    let mut out = String::with_capacity(repaired.len());
    let mut pending_space = false;
    for c in repaired.chars() {
        if INVISIBLE.contains(&c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    if !was_repaired {
        // A stray non-breaking space or soft hyphen beside mis-decoded text stops the
        // repair of the whole; try again without it.
        if let Cow::Owned(again) = repair_mojibake(&out) {
            return Cow::Owned(again);
        }
    }
    Cow::Owned(out)
}

/// Repairs text whose UTF-8 bytes were once decoded as Latin-1 or Windows-1252
/// ("SÃ©amus" → "Séamus"). If every character maps back to a single byte in one of those
/// encodings, and those bytes are valid UTF-8 saying something else, the UTF-8 reading is
/// returned; otherwise the text is returned as it is. Genuine Latin-1 text ("Siân",
/// "Féin") does not form valid UTF-8 byte sequences and is left alone.
pub fn repair_mojibake(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut bytes = Vec::with_capacity(s.len());
    for c in s.chars() {
        match single_byte(c) {
            Some(b) => bytes.push(b),
            None => return Cow::Borrowed(s),
        }
    }
    match String::from_utf8(bytes) {
        Ok(repaired) if repaired != s => Cow::Owned(repaired),
        _ => Cow::Borrowed(s),
    }
}

/// The byte that decodes to `c` in Latin-1, or in Windows-1252 for the characters that
/// encoding places at 0x80–0x9F.
fn single_byte(c: char) -> Option<u8> {
    if let Ok(b) = u8::try_from(c) {
        return Some(b);
    }
    let b = match c {
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// ASCII with single spaces between words and none at either end: nothing to clean.
fn is_clean_ascii(s: &str) -> bool {
    let mut after_space = true;
    for &b in s.as_bytes() {
        if b == b' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if !b.is_ascii() || b.is_ascii_whitespace() {
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// Case-insensitive equality (Unicode lower case).
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// The rest of `s` after `prefix`, compared case-insensitively; `None` if `s` does not
/// start with `prefix`.
pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = s.char_indices();
    for p in prefix.chars() {
        let (_, c) = rest.next()?;
        if c != p && !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
    }
    match rest.next() {
        Some((i, _)) => Some(&s[i..]),
        None => Some(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_ascii_text_is_borrowed_unchanged() {
        assert!(matches!(clean_text("Ed Balls"), Cow::Borrowed("Ed Balls")));
        assert!(matches!(clean_text(""), Cow::Borrowed("")));
    }

    #[test]
    fn utf8_read_as_latin1_is_repaired() {
        assert_eq!(clean_text("SÃ©amus"), "Séamus");
        assert_eq!(clean_text("DÃ¼nweber"), "Dünweber");
        assert_eq!(clean_text("LÃ©onie"), "Léonie");
        assert_eq!(clean_text("\u{a0}SÃ©amus\u{a0}"), "Séamus");
        assert_eq!(clean_text("VoilÃ\u{a0}"), "Voilà");
    }

    #[test]
    fn utf8_read_as_windows_1252_is_repaired() {
        // "’" is E2 80 99, which Windows-1252 shows as "â€™".
        assert_eq!(clean_text("O\u{e2}\u{20ac}\u{2122}Neill"), "O’Neill");
    }

    #[test]
    fn genuine_latin1_letters_are_left_alone() {
        assert_eq!(clean_text("Siân"), "Siân");
        assert_eq!(clean_text("Sinn Féin"), "Sinn Féin");
        assert_eq!(clean_text("Ynys Môn"), "Ynys Môn");
    }

    #[test]
    fn soft_hyphens_are_removed() {
        assert_eq!(clean_text("Daithí\u{AD}"), "Daithí");
        assert_eq!(clean_text("Mc\u{AD}Kay"), "McKay");
    }

    #[test]
    fn whitespace_and_non_breaking_spaces_collapse_and_trim() {
        assert_eq!(clean_text("\u{A0}"), "");
        assert_eq!(clean_text("Yes "), "Yes");
        assert_eq!(
            clean_text("  East of\u{A0}\u{A0}England \t"),
            "East of England"
        );
        assert_eq!(clean_text("a \u{AD} b"), "a b");
    }

    #[test]
    fn case_insensitive_comparisons_cover_non_ascii_letters() {
        assert!(eq_ignore_case("ed balls", "Ed Balls"));
        assert!(eq_ignore_case("SÉAMUS MARTIN", "Séamus Martin"));
        assert!(!eq_ignore_case("Ed Ball", "Ed Balls"));
        assert_eq!(
            strip_prefix_ignore_case("Glasgow Central", "glasgow"),
            Some(" Central")
        );
        assert_eq!(strip_prefix_ignore_case("Glasgow", "GLASGOW"), Some(""));
        assert_eq!(strip_prefix_ignore_case("Glas", "Glasgow"), None);
    }
}
