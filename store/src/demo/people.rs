//! Synthetic people: test-range NHS numbers, fictional RV postcodes,
//! invented names.

use super::names;
use super::rows::{insert_batches, rid, PatientRow};
use crate::{PracticeStore, StoreError};
use chrono::{Duration, Utc};
use domain::{NhsNumber, Postcode, PracticeId};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use surrealdb::types::RecordId;

/// A synthetic NHS number in the 999 test range, never issued to anyone.
pub fn synthetic_nhs_number(rng: &mut impl Rng) -> NhsNumber {
    loop {
        let mut nine = [9u8; 9];
        for d in nine.iter_mut().skip(3) {
            *d = rng.gen_range(0..10);
        }
        if let Some(n) = NhsNumber::with_check_digit(nine) {
            return n;
        }
    }
}

fn synthetic_postcode(rng: &mut impl Rng) -> Result<Postcode, StoreError> {
    const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let letter = |rng: &mut dyn rand::RngCore| {
        char::from(INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())])
    };
    let text = format!(
        "RV{} {}{}{}",
        rng.gen_range(1..10),
        rng.gen_range(0..10),
        letter(rng),
        letter(rng)
    );
    // Always a valid AA9 9AA shape; parse() is the proof, checked by a test.
    Postcode::parse(&text).map_err(|e| StoreError::Internal(format!("demo postcode {text}: {e}")))
}

/// `count` synthetic patients (test-range NHS numbers not in `seen`,
/// fictional RV postcodes), keyed from `first + 1`.
pub(super) fn synthetic_patients(
    rng: &mut impl Rng,
    practice_id: &PracticeId,
    gps: &[RecordId],
    count: usize,
    first: usize,
    seen: &mut HashSet<NhsNumber>,
    today: chrono::NaiveDate,
) -> Result<Vec<PatientRow>, StoreError> {
    let mut patients = Vec::with_capacity(count);
    while patients.len() < count {
        let nhs = synthetic_nhs_number(rng);
        if !seen.insert(nhs) {
            continue;
        }
        let female = rng.gen_bool(0.51);
        let given = if female { names::FEMALE } else { names::MALE }
            .choose(rng)
            .copied()
            .unwrap_or("Alex");
        let family = names::FAMILY.choose(rng).copied().unwrap_or("Smith");
        let age_days = rng.gen_range(0..=(100 * 365));
        let dob = today - Duration::days(age_days);
        let adult = age_days >= 18 * 365;
        let title = match (adult, female) {
            (false, _) => None,
            (true, true) => Some(["Mrs", "Ms", "Miss"][rng.gen_range(0..3)].to_string()),
            (true, false) => Some("Mr".to_string()),
        };
        let street = names::STREETS.choose(rng).copied().unwrap_or("High Street");
        let key = format!("{}-p{:05}", practice_id, first + patients.len() + 1);
        let registered = dob.max(today - Duration::days(rng.gen_range(0..(30 * 365))));
        patients.push(PatientRow {
            id: rid("patient", key),
            practice: rid("practice", practice_id.as_str()),
            nhs_number: nhs.digits(),
            title,
            given_name: given.to_string(),
            family_name: family.to_string(),
            family_name_key: family.to_lowercase(),
            date_of_birth: dob.to_string(),
            sex: if female { "female" } else { "male" }.to_string(),
            address_lines: vec![
                format!("{} {}", rng.gen_range(1..200), street),
                "Riverside".to_string(),
            ],
            postcode: synthetic_postcode(rng)?.to_string(),
            phone: adult.then(|| format!("07700 900{:03}", rng.gen_range(0..1000))),
            email: None,
            usual_gp: gps.choose(rng).cloned(),
            registered_on: registered.to_string(),
            is_test_data: true,
        });
    }
    Ok(patients)
}

/// Adds `count` more synthetic patients to a practice (the search
/// benchmark's 100,000), in batches. Returns how many were added.
pub async fn add_synthetic_patients(
    db: &PracticeStore,
    count: usize,
    seed: u64,
) -> Result<usize, StoreError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut res = db
        .db()
        .query(
            "SELECT VALUE nhs_number FROM patient WHERE practice = type::record('practice', $p);
             SELECT VALUE id FROM staff WHERE practice = type::record('practice', $p) AND role = 'gp';",
        )
        .bind(("p", db.pid()))
        .await?
        .check()?;
    let numbers: Vec<String> = res.take(0)?;
    let gps: Vec<RecordId> = res.take(1)?;
    let mut seen: HashSet<NhsNumber> = numbers
        .iter()
        .filter_map(|n| NhsNumber::parse(n).ok())
        .collect();
    let first = numbers.len() + 1_000_000;
    let today = domain::time::london_today(Utc::now());
    let mut added = 0;
    while added < count {
        let n = (count - added).min(5_000);
        let batch =
            synthetic_patients(&mut rng, db.id(), &gps, n, first + added, &mut seen, today)?;
        insert_batches(db.store(), "patient", batch).await?;
        added += n;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_nhs_numbers_are_valid_and_in_the_test_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..10_000 {
            let n = synthetic_nhs_number(&mut rng);
            assert!(n.is_test_range());
            assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
        }
    }

    #[test]
    fn synthetic_postcodes_are_valid() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..10_000 {
            let p = synthetic_postcode(&mut rng).unwrap();
            assert!(p.as_str().starts_with("RV"));
        }
    }
}
