//! UK postcodes: format validation and the canonical spelling ("RG1 4AB").
//! Format only: whether a postcode is in use needs the PAF, which we don't ship.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("Enter a full UK postcode, like SW1A 1AA")]
    Format,
}

fn is_alpha(c: u8) -> bool {
    c.is_ascii_uppercase()
}
fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}

impl Postcode {
    /// Accepts any case and spacing ("sw1a1aa", "SW1A  1AA"); returns the
    /// canonical "SW1A 1AA".
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = compact.as_bytes();
        if !(5..=7).contains(&b.len()) || !b.is_ascii() {
            return Err(PostcodeError::Format);
        }
        let (outward, inward) = b.split_at(b.len() - 3);
        // Inward code: digit then two letters, never C I K M O V.
        let inward_ok = is_digit(inward[0])
            && inward[1..]
                .iter()
                .all(|&c| is_alpha(c) && !b"CIKMOV".contains(&c));
        if !inward_ok || !(outward_ok(outward) || outward == b"GIR") {
            return Err(PostcodeError::Format);
        }
        let text = format!(
            "{} {}",
            std::str::from_utf8(outward).map_err(|_| PostcodeError::Format)?,
            std::str::from_utf8(inward).map_err(|_| PostcodeError::Format)?
        );
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code ("SW1A"), which alone is not personal data.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or_default()
    }
}

/// Outward codes: A9, A99, A9A, AA9, AA99, AA9A (Royal Mail's six shapes).
fn outward_ok(o: &[u8]) -> bool {
    let first = |c: u8| is_alpha(c) && !b"QVX".contains(&c);
    let second = |c: u8| is_alpha(c) && !b"IJZ".contains(&c);
    match o {
        [a, d] => first(*a) && is_digit(*d),
        // A99
        [a, d1, d2] if is_digit(*d1) && is_digit(*d2) => first(*a),
        // A9A
        [a, d, l] if is_digit(*d) => first(*a) && b"ABCDEFGHJKPSTUW".contains(l),
        // AA9
        [a, b2, d] => first(*a) && second(*b2) && is_digit(*d),
        // AA99
        [a, b2, d1, d2] if is_digit(*d2) => first(*a) && second(*b2) && is_digit(*d1),
        // AA9A
        [a, b2, d, l] => first(*a) && second(*b2) && is_digit(*d) && b"ABEHMNPRVWXY".contains(l),
        _ => false,
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Postcode {
    type Error = PostcodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(value: Postcode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn all_six_shapes_parse_to_canonical_form() {
        for (input, canonical) in [
            ("m1 1ae", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("w1a0ax", "W1A 0AX"),
            ("CR2 6XH", "CR2 6XH"),
            ("dn55  1pt", "DN55 1PT"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("SW1A 1AA", "SW1A 1AA"),
        ] {
            assert_eq!(
                Postcode::parse(input).unwrap().as_str(),
                canonical,
                "{input}"
            );
        }
    }

    #[test]
    fn malformed_postcodes_are_refused() {
        for bad in [
            "",
            "SW1A",
            "12345",
            "SW1A 1AAA",
            "Q1 1AA",
            "SW1A 1CA",
            "M1 AAE",
            "ÄB1 1AA",
            "EC1A-1BB",
        ] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Format), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_is_idempotent(s in "[A-Za-z0-9 ]{0,9}") {
            if let Ok(p) = Postcode::parse(&s) {
                prop_assert_eq!(Postcode::parse(p.as_str()), Ok(p.clone()));
                prop_assert_eq!(p.as_str().len() - p.outward().len(), 4);
            }
        }
    }
}
