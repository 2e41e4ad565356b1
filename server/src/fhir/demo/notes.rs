//! The demo's past consultations, as FHIR Encounters with short notes: the
//! visit at which each long-term condition was diagnosed, a yearly review
//! for people with one, and now and then an everyday illness. From their
//! own generator (seeded by the NHS number), so the rest of the history is
//! the same with or without them.

use super::super::import::encounter::narrative;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const SNOMED: &str = "http://snomed.info/sct";

/// What was written when a condition was diagnosed: (code, history,
/// examination, plan).
const DIAGNOSES: &[(&str, &str, &str, &str)] = &[
    ("38341003", "Raised blood pressure at three visits and on home readings. No chest pain, headaches or visual change.", "Heart sounds normal. No ankle swelling.", "Explained hypertension and its risks. Start treatment; bloods (U&E, lipids, HbA1c) and urine ACR. Review in 4 weeks."),
    ("44054006", "Tired and thirsty for two months. HbA1c raised on two tests.", "Feet: pulses present, sensation normal.", "Explained type 2 diabetes. Start metformin; refer to structured education and retinal screening. Review in 3 months."),
    ("195967001", "Wheeze and night cough, worse with colds and exercise.", "Chest: scattered wheeze. Peak flow 70% of predicted.", "Asthma. Inhaler technique shown; personal asthma plan given. Review in 6 weeks."),
    ("13645005", "Breathless on hills for a year, morning cough. Ex-smoker, 30 pack-years.", "Prolonged expiration. Spirometry: FEV1/FVC 0.62.", "COPD. Start inhaler; pulmonary rehabilitation offered; flu and pneumococcal vaccines."),
    ("35489007", "Low mood, poor sleep and loss of interest for two months. No thoughts of self-harm.", "PHQ-9 score 16.", "Depression. Talking therapies referral; start sertraline. Safety-netted. Review in 2 weeks."),
    ("40930008", "Tired, cold and gaining weight. TSH raised, free T4 low.", "Dry skin. Pulse 58.", "Hypothyroidism. Start levothyroxine; repeat thyroid function in 6 weeks."),
    ("49436004", "Palpitations on and off for a month.", "Pulse irregularly irregular, 96. ECG: atrial fibrillation.", "AF. CHA2DS2-VASc discussed; start apixaban. Echo requested."),
];

/// Everyday illnesses: (code, term, history, examination, plan, adults
/// only).
const ACUTE: &[(&str, &str, &str, &str, &str, bool)] = &[
    ("54150009", "Upper respiratory infection", "Sore throat, runny nose and cough for 4 days.", "Temperature 37.6. Throat mildly red; chest clear.", "Viral. Fluids and paracetamol; return if not better in a week.", false),
    ("279039007", "Low back pain", "Low back pain after lifting, 5 days. No leg weakness or numbness; bladder and bowels normal.", "Tender lumbar muscles; straight leg raise normal.", "Keep active; ibuprofen. Red flags explained.", true),
    ("68566005", "Urinary tract infectious disease", "Burning and frequency for 2 days. No fever or loin pain.", "Urine dip: nitrites and leucocytes.", "Nitrofurantoin for 3 days; return if not settling.", true),
    ("65363002", "Otitis media", "Earache and fever for a day.", "Right eardrum red and bulging.", "Paracetamol; antibiotics only if not better in 3 days.", false),
    ("43116000", "Eczema", "Itchy dry patches in the elbow creases.", "Flexural eczema, not infected.", "Emollients generously; mild steroid cream for flares.", false),
    ("49727002", "Cough", "Cough for 3 weeks after a cold. Non-smoker. No weight loss or blood.", "Chest clear. Sats 98%.", "Post-viral cough; return if over 8 weeks or any red flags.", true),
];

fn encounter(
    nhs: &str,
    patient: &str,
    n: usize,
    at: NaiveDate,
    codes: &[(&str, &str)],
    notes: [&str; 3],
    rng: &mut StdRng,
) -> Value {
    let mut r = json!({
        "resourceType": "Encounter",
        "id": format!("demo-{nhs}-visit-{n}"),
        "status": "finished",
        "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
        "subject": { "reference": format!("Patient/{patient}") },
        "period": { "start": format!("{at}T{:02}:{:02}:00Z", rng.gen_range(8..17), rng.gen_range(0..6) * 10) },
        "reasonCode": codes.iter().map(|(code, term)| json!({
            "coding": [{ "system": SNOMED, "code": code, "display": term }], "text": term
        })).collect::<Vec<_>>(),
    });
    if let Some(text) = narrative(notes) {
        r["text"] = text;
    }
    r
}

/// A patient's past consultations: `diagnosed` are (code, term, date).
pub fn consultations(
    nhs: &str,
    patient: &str,
    age: i32,
    diagnosed: &[(&str, &str, NaiveDate)],
    today: NaiveDate,
) -> Vec<Value> {
    let seed = nhs.parse::<u64>().unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x636f_6e73_756c_7473);
    let mut out = Vec::new();
    for (code, term, on) in diagnosed {
        if let Some((_, h, e, p)) = DIAGNOSES.iter().find(|d| d.0 == *code) {
            let at = (*on).min(today - Duration::days(1));
            out.push(encounter(
                nhs,
                patient,
                out.len(),
                at,
                &[(code, term)],
                [h, e, p],
                &mut rng,
            ));
        }
    }
    // The yearly review, in the last year, of everything diagnosed.
    if !diagnosed.is_empty() {
        let at = today - Duration::days(rng.gen_range(7..330));
        let mut codes = vec![("182836005", "Review of medication")];
        codes.extend(diagnosed.iter().map(|(c, t, _)| (*c, *t)));
        let notes = [
            "Annual review of long-term conditions. Taking medicines as prescribed; no side effects.",
            "Readings recorded today.",
            "Continue current treatment. Recall in 12 months.",
        ];
        out.push(encounter(
            nhs,
            patient,
            out.len(),
            at,
            &codes,
            notes,
            &mut rng,
        ));
    }
    // Now and then an everyday illness, in the last three years.
    let illnesses: Vec<_> = ACUTE.iter().filter(|a| !a.5 || age >= 18).collect();
    let span = i64::from(age.clamp(0, 3)) * 365; // Never before they were born.
    for _ in 0..rng.gen_range(0..3) {
        if span < 2 {
            break;
        }
        if let Some((code, term, h, e, p, _)) = illnesses.choose(&mut rng) {
            let at = today - Duration::days(rng.gen_range(1..span));
            out.push(encounter(
                nhs,
                patient,
                out.len(),
                at,
                &[(code, term)],
                [h, e, p],
                &mut rng,
            ));
        }
    }
    out
}
