//! Where a claim stands in its article: the sentence (the report's `quote`, at byte
//! offsets `span` of the article body) with the text around it, and where the claimed
//! figure is within the sentence, for the page to highlight.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How much of the body to show on each side of the sentence, in bytes at most (cut back
/// to a character boundary, and to the paragraph).
pub const CONTEXT_BYTES: usize = 600;

/// The claim's sentence in its place in the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuoteContext {
    /// The text before the sentence, from the start of its paragraph (at most 600 bytes).
    pub before: String,
    /// The sentence the claim was read from: the report's `quote`.
    pub quote: String,
    /// The text after the sentence, to the end of its paragraph (at most 600 bytes).
    pub after: String,
    /// Byte offsets, within `quote`, of the claimed figure as the article writes it, when
    /// it can be found; the page highlights it.
    pub figure: Option<(usize, usize)>,
    /// Whether the sentence was found at `span` in a submitted body of the article; when
    /// not, `before` and `after` are empty.
    pub located: bool,
}

/// The context of `quote` at `span` in whichever of `bodies` (newest last) holds it there;
/// `claimed` is the report's claimed value.
pub fn locate<'a>(
    bodies: impl DoubleEndedIterator<Item = &'a str>,
    quote: &str,
    span: (usize, usize),
    claimed: &serde_json::Value,
) -> QuoteContext {
    let figure = find_figure(quote, claimed);
    let (start, end) = span;
    for body in bodies.rev() {
        if body.get(start..end) == Some(quote) {
            return QuoteContext {
                before: before(body, start).to_owned(),
                quote: quote.to_owned(),
                after: after(body, end).to_owned(),
                figure,
                located: true,
            };
        }
    }
    QuoteContext {
        before: String::new(),
        quote: quote.to_owned(),
        after: String::new(),
        figure,
        located: false,
    }
}

/// The paragraph's text before byte `start` of `body`, at most [`CONTEXT_BYTES`].
fn before(body: &str, start: usize) -> &str {
    let mut from = start.saturating_sub(CONTEXT_BYTES);
    while !body.is_char_boundary(from) {
        from += 1;
    }
    let text = body.get(from..start).unwrap_or("");
    match text.rfind("\n\n") {
        Some(i) => &text[i + 2..],
        None => text,
    }
}

/// The paragraph's text after byte `end` of `body`, at most [`CONTEXT_BYTES`].
fn after(body: &str, end: usize) -> &str {
    let mut to = end.saturating_add(CONTEXT_BYTES).min(body.len());
    while !body.is_char_boundary(to) {
        to -= 1;
    }
    let text = body.get(end..to).unwrap_or("");
    match text.find("\n\n") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Where the claimed value is written in `quote`: a number as the press writes it
/// (`8,949`, `8949`, `51.5`, a change without its sign), or a `won`/`lost`/party claim
/// not at all (those are words spread over the sentence).
pub fn find_figure(quote: &str, claimed: &serde_json::Value) -> Option<(usize, usize)> {
    let value = claimed.as_f64()?;
    spellings(value.abs())
        .iter()
        .find_map(|spelling| find_number(quote, spelling))
}

/// The ways a number may be written: with and without thousands separators, and with as
/// many decimals as it has.
fn spellings(value: f64) -> Vec<String> {
    if !value.is_finite() {
        return Vec::new();
    }
    let plain = if value.fract() == 0.0 && value < 1e15 {
        format!("{}", value as u64)
    } else {
        format!("{value}")
    };
    let (int, frac) = match plain.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (plain.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(frac) = &frac {
        grouped.push('.');
        grouped.push_str(frac);
    }
    if grouped == plain {
        vec![plain]
    } else {
        vec![grouped, plain]
    }
}

/// The first occurrence of `number` in `text` that is not part of a longer number.
fn find_number(text: &str, number: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = text.get(from..)?.find(number) {
        let start = from + i;
        let end = start + number.len();
        let prev = text[..start].chars().next_back();
        let next = text[end..].chars().next();
        let prev_ok = !prev.is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.');
        // A digit after, or a separator followed by a digit, continues the number.
        let after = text[end..].chars().nth(1);
        let continues = match next {
            Some(c) if c.is_ascii_digit() => true,
            Some(',' | '.') => after.is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        };
        let next_ok = !continues;
        if prev_ok && next_ok {
            return Some((start, end));
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn given_a_sentence_in_its_paragraph_then_the_context_is_the_rest_of_the_paragraph() {
        let body =
            "Headline\n\nFirst sentence. He won with a majority of 8,949. Then more.\n\nNext.";
        let quote = "He won with a majority of 8,949.";
        let start = body.find(quote).unwrap();
        let context = locate(
            [body].into_iter(),
            quote,
            (start, start + quote.len()),
            &json!(8949),
        );
        assert!(context.located);
        assert_eq!(context.before, "First sentence. ");
        assert_eq!(context.after, " Then more.");
        let (a, b) = context.figure.unwrap();
        assert_eq!(&quote[a..b], "8,949");
    }

    #[test]
    fn given_a_span_that_is_not_the_quote_or_not_on_character_boundaries_then_nothing_panics() {
        let body = "Ünïcödé – text about 51.5 per cent.";
        for span in [(0, 1), (1, 2), (3, 400), (400, 3), (usize::MAX, usize::MAX)] {
            let context = locate([body].into_iter(), "text", span, &json!(51.5));
            assert!(!context.located);
            assert_eq!(context.before, "");
        }
    }

    #[test]
    fn given_several_bodies_then_the_newest_that_holds_the_quote_at_its_span_is_used() {
        let old = "Old text. Labour won 232 seats.";
        let new = "New text! Labour won 232 seats.";
        let quote = "Labour won 232 seats.";
        let span = (10, 10 + quote.len());
        let context = locate([old, new].into_iter(), quote, span, &json!(232));
        assert_eq!(context.before, "New text! ");
    }

    #[test]
    fn given_numbers_then_the_figure_is_found_as_written_and_not_inside_longer_numbers() {
        assert_eq!(
            find_figure("a 51.5 per cent share", &json!(51.5)),
            Some((2, 6))
        );
        assert_eq!(
            find_figure("cut by 1,200 votes", &json!(-1200)),
            Some((7, 12))
        );
        assert_eq!(
            find_figure("from 12,264 to 2,264", &json!(2264)),
            Some((15, 20))
        );
        assert_eq!(find_figure("won 56 of 59", &json!(5)), None);
        assert_eq!(
            find_figure("1,000,000 votes", &json!(1000000)),
            Some((0, 9))
        );
        assert_eq!(find_figure("the SNP won", &json!("SNP")), None);
    }
}
