//! Percent-encoding for the addresses we write (a sign-in's `next`, a
//! FHIR search's links): every byte but RFC 3986's unreserved characters
//! (A–Z a–z 0–9 - _ . ~) and those the caller keeps becomes `%XX`.

/// `s` percent-encoded, keeping the unreserved characters and `keep`
/// (`b"/"` for a path given as a query value).
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn unreserved_and_kept_characters_stay_and_the_rest_are_encoded() {
        assert_eq!(
            percent_encode("https://fhir.nhs.uk/Id/nhs-number|999 000", b""),
            "https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C999%20000"
        );
        assert_eq!(
            percent_encode("/patients/ab?x=1&y", b"/"),
            "/patients/ab%3Fx%3D1%26y"
        );
        assert_eq!(percent_encode("Zoë", b""), "Zo%C3%AB");
    }
}
