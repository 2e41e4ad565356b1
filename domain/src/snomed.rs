//! A bundled subset of SNOMED CT concepts common in UK primary care
//! (problems and diagnoses, procedures, allergies), with their concept ids
//! and terms, for the coded-entry picker. Every id is checked by its
//! Verhoeff check digit and partition in the tests. A practice deployment
//! should load the NHS primary care reference sets instead; this list keeps
//! the picker working offline and in tests.

use crate::clinical::{CodeKind, Concept};

const fn c(id: &'static str, term: &'static str, kind: CodeKind) -> Concept {
    Concept { id, term, kind }
}

pub const SUBSET: &[Concept] = &[
    c(
        "38341003",
        "Hypertensive disorder, systemic arterial",
        CodeKind::Problem,
    ),
    c("59621000", "Essential hypertension", CodeKind::Problem),
    c("44054006", "Diabetes mellitus type 2", CodeKind::Problem),
    c("46635009", "Diabetes mellitus type 1", CodeKind::Problem),
    c("73211009", "Diabetes mellitus", CodeKind::Problem),
    c("15777000", "Prediabetes", CodeKind::Problem),
    c(
        "11687002",
        "Gestational diabetes mellitus",
        CodeKind::Problem,
    ),
    c("195967001", "Asthma", CodeKind::Problem),
    c(
        "13645005",
        "Chronic obstructive lung disease",
        CodeKind::Problem,
    ),
    c("49436004", "Atrial fibrillation", CodeKind::Problem),
    c("40930008", "Hypothyroidism", CodeKind::Problem),
    c("34486009", "Hyperthyroidism", CodeKind::Problem),
    c("35489007", "Depressive disorder", CodeKind::Problem),
    c("197480006", "Anxiety disorder", CodeKind::Problem),
    c(
        "47505003",
        "Posttraumatic stress disorder",
        CodeKind::Problem,
    ),
    c("13746004", "Bipolar disorder", CodeKind::Problem),
    c("58214004", "Schizophrenia", CodeKind::Problem),
    c("69322001", "Psychotic disorder", CodeKind::Problem),
    c(
        "406506008",
        "Attention deficit hyperactivity disorder",
        CodeKind::Problem,
    ),
    c("7200002", "Alcoholism", CodeKind::Problem),
    c("396275006", "Osteoarthritis", CodeKind::Problem),
    c("239873007", "Osteoarthritis of knee", CodeKind::Problem),
    c("239872002", "Osteoarthritis of hip", CodeKind::Problem),
    c("69896004", "Rheumatoid arthritis", CodeKind::Problem),
    c("3723001", "Arthritis", CodeKind::Problem),
    c("90560007", "Gout", CodeKind::Problem),
    c("64859006", "Osteoporosis", CodeKind::Problem),
    c("37796009", "Migraine", CodeKind::Problem),
    c("25064002", "Headache", CodeKind::Problem),
    c("84757009", "Epilepsy", CodeKind::Problem),
    c("49049000", "Parkinson's disease", CodeKind::Problem),
    c("26929004", "Alzheimer's disease", CodeKind::Problem),
    c("52448006", "Dementia", CodeKind::Problem),
    c("24700007", "Multiple sclerosis", CodeKind::Problem),
    c("230690007", "Cerebrovascular accident", CodeKind::Problem),
    c("266257000", "Transient ischemic attack", CodeKind::Problem),
    c("84114007", "Heart failure", CodeKind::Problem),
    c("194828000", "Angina", CodeKind::Problem),
    c("22298006", "Myocardial infarction", CodeKind::Problem),
    c(
        "399211009",
        "History of myocardial infarction",
        CodeKind::Problem,
    ),
    c("414545008", "Ischemic heart disease", CodeKind::Problem),
    c("53741008", "Coronary arteriosclerosis", CodeKind::Problem),
    c("56265001", "Heart disease", CodeKind::Problem),
    c("128053003", "Deep venous thrombosis", CodeKind::Problem),
    c("59282003", "Pulmonary embolism", CodeKind::Problem),
    c("55822004", "Hyperlipidemia", CodeKind::Problem),
    c("237602007", "Metabolic syndrome X", CodeKind::Problem),
    c("414916001", "Obesity", CodeKind::Problem),
    c("709044004", "Chronic kidney disease", CodeKind::Problem),
    c(
        "431855005",
        "Chronic kidney disease stage 1",
        CodeKind::Problem,
    ),
    c(
        "431856006",
        "Chronic kidney disease stage 2",
        CodeKind::Problem,
    ),
    c(
        "433144002",
        "Chronic kidney disease stage 3",
        CodeKind::Problem,
    ),
    c(
        "431857002",
        "Chronic kidney disease stage 4",
        CodeKind::Problem,
    ),
    c(
        "433146000",
        "Chronic kidney disease stage 5",
        CodeKind::Problem,
    ),
    c("95570007", "Kidney stone", CodeKind::Problem),
    c(
        "266569009",
        "Benign prostatic hyperplasia",
        CodeKind::Problem,
    ),
    c(
        "68566005",
        "Urinary tract infectious disease",
        CodeKind::Problem,
    ),
    c(
        "235595009",
        "Gastroesophageal reflux disease",
        CodeKind::Problem,
    ),
    c("10743008", "Irritable bowel syndrome", CodeKind::Problem),
    c("34000006", "Crohn's disease", CodeKind::Problem),
    c("64766004", "Ulcerative colitis", CodeKind::Problem),
    c("271737000", "Anemia", CodeKind::Problem),
    c("87522002", "Iron deficiency anemia", CodeKind::Problem),
    c("233604007", "Pneumonia", CodeKind::Problem),
    c("10509002", "Acute bronchitis", CodeKind::Problem),
    c("54150009", "Upper respiratory infection", CodeKind::Problem),
    c("36971009", "Sinusitis", CodeKind::Problem),
    c("40055000", "Chronic sinusitis", CodeKind::Problem),
    c("363746003", "Acute pharyngitis", CodeKind::Problem),
    c("195662009", "Acute viral pharyngitis", CodeKind::Problem),
    c("90176007", "Tonsillitis", CodeKind::Problem),
    c("65363002", "Otitis media", CodeKind::Problem),
    c("9826008", "Conjunctivitis", CodeKind::Problem),
    c("6142004", "Influenza", CodeKind::Problem),
    c(
        "840539006",
        "Disease caused by severe acute respiratory syndrome coronavirus 2",
        CodeKind::Problem,
    ),
    c("56717001", "Tuberculosis", CodeKind::Problem),
    c("91302008", "Sepsis", CodeKind::Problem),
    c("128045006", "Cellulitis", CodeKind::Problem),
    c("38907003", "Varicella", CodeKind::Problem),
    c("4740000", "Herpes zoster", CodeKind::Problem),
    c("43116000", "Eczema", CodeKind::Problem),
    c("9014002", "Psoriasis", CodeKind::Problem),
    c("279039007", "Low back pain", CodeKind::Problem),
    c("161891005", "Backache", CodeKind::Problem),
    c("23056005", "Sciatica", CodeKind::Problem),
    c("57676002", "Pain of joint", CodeKind::Problem),
    c("68962001", "Muscle pain", CodeKind::Problem),
    c("22253000", "Pain", CodeKind::Problem),
    c("21522001", "Abdominal pain", CodeKind::Problem),
    c("29857009", "Chest pain", CodeKind::Problem),
    c("49727002", "Cough", CodeKind::Problem),
    c("386661006", "Fever", CodeKind::Problem),
    c("267036007", "Dyspnea", CodeKind::Problem),
    c("404640003", "Dizziness", CodeKind::Problem),
    c("84229001", "Fatigue", CodeKind::Problem),
    c("422587007", "Nausea", CodeKind::Problem),
    c("422400008", "Vomiting", CodeKind::Problem),
    c("62315008", "Diarrhea", CodeKind::Problem),
    c("14760008", "Constipation", CodeKind::Problem),
    c("271807003", "Eruption of skin", CodeKind::Problem),
    c("418290006", "Itching", CodeKind::Problem),
    c("193462001", "Insomnia", CodeKind::Problem),
    c("302866003", "Hypoglycemia", CodeKind::Problem),
    c("80394007", "Hyperglycemia", CodeKind::Problem),
    c("125605004", "Fracture of bone", CodeKind::Problem),
    c("44465007", "Sprain of ankle", CodeKind::Problem),
    c("77386006", "Pregnant", CodeKind::Problem),
    c(
        "254837009",
        "Malignant neoplasm of breast",
        CodeKind::Problem,
    ),
    c(
        "399068003",
        "Malignant tumor of prostate",
        CodeKind::Problem,
    ),
    c("363358000", "Malignant tumor of lung", CodeKind::Problem),
    c("363406005", "Malignant tumor of colon", CodeKind::Problem),
    c("372244006", "Malignant melanoma", CodeKind::Problem),
    c("80146002", "Appendectomy", CodeKind::Procedure),
    c("38102005", "Cholecystectomy", CodeKind::Procedure),
    c("236886002", "Hysterectomy", CodeKind::Procedure),
    c("11466000", "Cesarean section", CodeKind::Procedure),
    c("73761001", "Colonoscopy", CodeKind::Procedure),
    c("173422009", "Tonsillectomy", CodeKind::Procedure),
    c("52734007", "Total replacement of hip", CodeKind::Procedure),
    c("609588000", "Total knee replacement", CodeKind::Procedure),
    c(
        "232717009",
        "Coronary artery bypass grafting",
        CodeKind::Procedure,
    ),
    c(
        "415070008",
        "Percutaneous coronary intervention",
        CodeKind::Procedure,
    ),
    c("387713003", "Surgical procedure", CodeKind::Procedure),
    c(
        "29303009",
        "Electrocardiographic procedure",
        CodeKind::Procedure,
    ),
    c("46973005", "Blood pressure taking", CodeKind::Procedure),
    c(
        "43396009",
        "Hemoglobin A1c measurement",
        CodeKind::Procedure,
    ),
    c("252465000", "Pulse oximetry", CodeKind::Procedure),
    c(
        "82078001",
        "Collection of blood specimen for laboratory",
        CodeKind::Procedure,
    ),
    c("396550006", "Blood test", CodeKind::Procedure),
    c("5880005", "Physical examination", CodeKind::Procedure),
    c("86198006", "Influenza vaccination", CodeKind::Procedure),
    c(
        "33879002",
        "Administration of vaccine to produce active immunity",
        CodeKind::Procedure,
    ),
    c("182836005", "Review of medication", CodeKind::Procedure),
    c("225358003", "Wound care", CodeKind::Procedure),
    c("18949003", "Change of dressing", CodeKind::Procedure),
    c("409063005", "Counseling", CodeKind::Procedure),
    c(
        "225323000",
        "Smoking cessation education",
        CodeKind::Procedure,
    ),
    c("171207006", "Depression screening", CodeKind::Procedure),
    c(
        "268547008",
        "Screening for malignant neoplasm of breast",
        CodeKind::Procedure,
    ),
    c("185317003", "Telephone encounter", CodeKind::Procedure),
    c(
        "448337001",
        "Telemedicine consultation with patient",
        CodeKind::Procedure,
    ),
    c("11429006", "Consultation", CodeKind::Procedure),
    c("91936005", "Allergy to penicillin", CodeKind::Allergy),
    c("91934008", "Allergy to nut", CodeKind::Allergy),
    c("91935009", "Allergy to peanut", CodeKind::Allergy),
    c("300916003", "Latex allergy", CodeKind::Allergy),
    c("293586001", "Allergy to aspirin", CodeKind::Allergy),
    c("91930004", "Allergy to eggs", CodeKind::Allergy),
    c("425525006", "Allergy to dairy product", CodeKind::Allergy),
    c("300913006", "Shellfish allergy", CodeKind::Allergy),
    c("91937001", "Allergy to seafood", CodeKind::Allergy),
    c("418689008", "Allergy to grass pollen", CodeKind::Allergy),
    c("232347008", "Dander (animal) allergy", CodeKind::Allergy),
    c("419474003", "Allergy to mold", CodeKind::Allergy),
    c("232350006", "House dust mite allergy", CodeKind::Allergy),
    c("424213003", "Allergy to bee venom", CodeKind::Allergy),
    c(
        "418038007",
        "Propensity to adverse reactions to substance",
        CodeKind::Allergy,
    ),
    c("716186003", "No known allergy", CodeKind::Allergy),
    c("409137002", "No known drug allergy", CodeKind::Allergy),
];

/// Whether an SCTID's last digit is its Verhoeff check digit (the dihedral
/// scheme SNOMED CT uses) and its partition says "concept".
pub fn verhoeff_ok(id: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let digits: Vec<u8> = id.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if digits.len() < 6 || digits.len() > 18 || digits.iter().any(|d| *d > 9) {
        return false;
    }
    let n = digits.len();
    if !matches!((digits[n - 3], digits[n - 2]), (0, 0) | (1, 0)) {
        return false;
    }
    let mut check = 0u8;
    for (i, d) in digits.iter().rev().enumerate() {
        check = D[check as usize][P[i % 8][*d as usize] as usize];
    }
    check == 0
}
