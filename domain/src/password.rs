//! What a new password must be, after the NCSC's password guidance: long
//! (at least `MIN_CHARS` characters), with no composition rules (no forced
//! digits or symbols), not one of the most common passwords (a list shipped
//! with the app, `data/common-passwords.txt`), and not the username.

/// The fewest characters a new password may have.
pub const MIN_CHARS: usize = 12;
/// The most (a passphrase, not a file).
pub const MAX_CHARS: usize = 256;

const COMMON: &str = include_str!("../data/common-passwords.txt");

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
}

/// Why `password` will not do for `username`, in words for the form;
/// `None` when it will.
pub fn problem(username: &str, password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Some(format!(
            "Use at least {MIN_CHARS} characters. Several words together make a password that is long and easy to remember."
        ));
    }
    if chars > MAX_CHARS {
        return Some(format!("Use at most {MAX_CHARS} characters."));
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return Some("Do not use your username in your password.".into());
    }
    if is_common(password) || password.chars().all(|c| password.starts_with(c)) {
        return Some(
            "That is one of the most commonly used passwords, so it is among the first an attacker tries. Choose another."
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_uncommon_passwords_without_the_username_are_accepted() {
        assert_eq!(problem("dr.khan", "river otter lantern"), None);
        // No composition rules: lower-case words only is fine.
        assert_eq!(problem("dr.khan", "correcthorsebatterystaple"), None);
    }

    #[test]
    fn short_common_repeated_or_username_passwords_are_refused_in_words() {
        assert!(problem("dr.khan", "short1!")
            .unwrap()
            .contains("at least 12"));
        assert!(problem("dr.khan", "elevenchars")
            .unwrap()
            .contains("at least 12"));
        assert!(problem("dr.khan", "QWERTY123456")
            .unwrap()
            .contains("most commonly used"));
        assert!(problem("dr.khan", "1q2w3e4r5t6y")
            .unwrap()
            .contains("most commonly used"));
        assert!(problem("dr.khan", "aaaaaaaaaaaaaaa")
            .unwrap()
            .contains("most commonly used"));
        assert!(problem("dr.khan", "my Dr.Khan password")
            .unwrap()
            .contains("username"));
        assert!(problem("dr.khan", &"x".repeat(300))
            .unwrap()
            .contains("at most"));
    }

    #[test]
    fn the_shipped_list_holds_only_passwords_long_enough_to_matter() {
        let entries: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(entries.len() > 300, "{}", entries.len());
        assert!(entries
            .iter()
            .all(|p| p.chars().count() >= MIN_CHARS && *p == p.to_lowercase()));
    }
}
