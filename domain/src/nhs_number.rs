//! The NHS number: ten digits whose last is a Modulus 11 check digit.
//! `NhsNumber::parse` is the only way to make one, so every value is valid.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid NHS number, stored as its ten digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber([u8; 10]);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("An NHS number has 10 digits")]
    WrongLength,
    #[error("An NHS number contains only digits (spaces are allowed)")]
    NotDigits,
    #[error("This is not a valid NHS number: the check digit does not match")]
    CheckDigit,
}

/// The Modulus 11 check digit for the first nine digits, or `None` when the
/// remainder makes the number impossible (a check value of 10).
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

impl NhsNumber {
    /// Parses "9434765919" or "943 476 5919" (spaces anywhere are ignored;
    /// any other character is an error).
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let mut digits = [0u8; 10];
        let mut count = 0;
        for ch in input.chars() {
            if ch == ' ' {
                continue;
            }
            let d = ch.to_digit(10).ok_or(NhsNumberError::NotDigits)? as u8;
            if count == 10 {
                return Err(NhsNumberError::WrongLength);
            }
            digits[count] = d;
            count += 1;
        }
        if count != 10 {
            return Err(NhsNumberError::WrongLength);
        }
        Self::from_digits(digits)
    }

    pub fn from_digits(digits: [u8; 10]) -> Result<Self, NhsNumberError> {
        let mut nine = [0u8; 9];
        nine.copy_from_slice(&digits[..9]);
        match check_digit(&nine) {
            Some(c) if c == digits[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::CheckDigit),
        }
    }

    /// Completes nine digits with their check digit, if one exists.
    pub fn with_check_digit(first_nine: [u8; 9]) -> Option<Self> {
        let c = check_digit(&first_nine)?;
        let mut digits = [0u8; 10];
        digits[..9].copy_from_slice(&first_nine);
        digits[9] = c;
        Some(Self(digits))
    }

    /// The ten digits with no spaces, as stored and searched.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// Numbers starting 999 are reserved by NHS England for testing and
    /// never issued to patients: synthetic demo patients use only these.
    pub fn is_test_range(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }
}

/// Displays as the NHS shows it: `943 476 5919`.
impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.digits();
        write!(f, "{} {} {}", &s[..3], &s[3..6], &s[6..])
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.digits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_numbers_parse_and_display_with_spaces() {
        let n = NhsNumber::parse("9434765919").unwrap();
        assert_eq!(n.to_string(), "943 476 5919");
        assert_eq!(NhsNumber::parse("943 476 5919").unwrap(), n);
        assert!(NhsNumber::parse("4010232137").is_ok());
    }

    #[test]
    fn known_invalid_numbers_fail_with_the_right_reason() {
        // Last digit off by one.
        assert_eq!(
            NhsNumber::parse("9434765918"),
            Err(NhsNumberError::CheckDigit)
        );
        assert_eq!(
            NhsNumber::parse("943476591"),
            Err(NhsNumberError::WrongLength)
        );
        assert_eq!(
            NhsNumber::parse("94347659190"),
            Err(NhsNumberError::WrongLength)
        );
        assert_eq!(
            NhsNumber::parse("94347A5919"),
            Err(NhsNumberError::NotDigits)
        );
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::WrongLength));
        // Remainder 1 gives check value 10: no valid number has these nine digits.
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
    }

    #[test]
    fn serde_round_trip_uses_plain_digits_and_rejects_invalid() {
        let n = NhsNumber::parse("943 476 5919").unwrap();
        assert_eq!(String::from(n), "9434765919");
        assert!(NhsNumber::try_from("1234567890".to_string()).is_err());
    }

    proptest! {
        #[test]
        fn every_completed_number_is_valid_and_round_trips(nine in proptest::array::uniform9(0u8..10)) {
            if let Some(n) = NhsNumber::with_check_digit(nine) {
                prop_assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
                prop_assert_eq!(NhsNumber::parse(&n.digits()), Ok(n));
            } else {
                // No check digit exists: every tenth digit must be refused.
                for last in 0..10u8 {
                    let mut d = [0u8; 10];
                    d[..9].copy_from_slice(&nine);
                    d[9] = last;
                    prop_assert_eq!(NhsNumber::from_digits(d), Err(NhsNumberError::CheckDigit));
                }
            }
        }

        #[test]
        fn changing_any_single_digit_invalidates(nine in proptest::array::uniform9(0u8..10), pos in 0usize..10, delta in 1u8..10) {
            if let Some(n) = NhsNumber::with_check_digit(nine) {
                let mut d = n.0;
                d[pos] = (d[pos] + delta) % 10;
                prop_assert!(NhsNumber::from_digits(d).is_err());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,20}") {
            let _ = NhsNumber::parse(&s);
        }
    }
}
