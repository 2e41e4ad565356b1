//! A laboratory's report as FHIR R4 sends it: a Bundle holding one
//! DiagnosticReport with its result Observations, the Patient (NHS number,
//! name, birth date), and optionally the ServiceRequest (who asked),
//! Specimen, Practitioner and the performing Organization. Read into the
//! domain's `IncomingReport`; what is missing or malformed is named by its
//! FHIR element. The results service then checks and matches it.

use domain::results::{Analyte, Demographics, Flag, IncomingReport, ReportStatus};
use serde_json::Value;

const NHS_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// Problems, each "element: what is wrong".
pub type Problems = Vec<String>;

/// The entries of a Bundle, findable by `fullUrl` or `Type/id`.
pub(super) struct Entries<'a> {
    all: Vec<(&'a str, &'a Value)>,
}

impl<'a> Entries<'a> {
    pub(super) fn of(bundle: &'a Value) -> Entries<'a> {
        let all = bundle["entry"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| (e["fullUrl"].as_str().unwrap_or(""), &e["resource"]))
                    .collect()
            })
            .unwrap_or_default();
        Entries { all }
    }

    pub(super) fn of_type(&self, kind: &str) -> Vec<&'a Value> {
        self.all
            .iter()
            .filter(|(_, r)| r["resourceType"] == kind)
            .map(|(_, r)| *r)
            .collect()
    }

    /// The entry a reference names: by fullUrl, or by `Type/id`.
    pub(super) fn resolve(&self, reference: &Value) -> Option<&'a Value> {
        let r = reference["reference"].as_str()?;
        self.all.iter().find_map(|(url, res)| {
            let by_url = !url.is_empty() && *url == r;
            let by_id = res["resourceType"]
                .as_str()
                .zip(res["id"].as_str())
                .is_some_and(|(t, id)| {
                    r == format!("{t}/{id}") || r.ends_with(&format!("/{t}/{id}"))
                });
            (by_url || by_id).then_some(*res)
        })
    }
}

pub(super) fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A CodeableConcept's words: its text, else its first coding's display.
pub(super) fn concept_words(c: &Value) -> Option<String> {
    text(&c["text"]).or_else(|| {
        c["coding"]
            .as_array()?
            .iter()
            .find_map(|coding| text(&coding["display"]))
    })
}

/// A CodeableConcept's code as "system|code", LOINC first.
pub(super) fn concept_code(c: &Value) -> Option<String> {
    let codings = c["coding"].as_array()?;
    let pick = codings
        .iter()
        .find(|x| x["system"] == "http://loinc.org")
        .or_else(|| codings.first())?;
    Some(format!(
        "{}|{}",
        text(&pick["system"])?,
        text(&pick["code"])?
    ))
}

pub(super) fn identifier_of(v: &Value) -> Option<String> {
    let first = v["identifier"].as_array()?.first()?;
    Some(format!(
        "{}|{}",
        text(&first["system"])?,
        text(&first["value"])?
    ))
}

pub(super) fn patient_of(p: &Value) -> Demographics {
    let nhs = p["identifier"]
        .as_array()
        .and_then(|ids| ids.iter().find(|i| i["system"] == NHS_SYSTEM))
        .and_then(|i| text(&i["value"]))
        .unwrap_or_default();
    let name = p["name"]
        .as_array()
        .and_then(|n| n.first())
        .cloned()
        .unwrap_or(Value::Null);
    Demographics {
        nhs_number: nhs,
        family: text(&name["family"]).unwrap_or_default(),
        given: name["given"]
            .as_array()
            .map(|g| g.iter().filter_map(text).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        birth_date: text(&p["birthDate"]).unwrap_or_default(),
    }
}

fn analyte_of(o: &Value, n: usize, problems: &mut Problems) -> Option<Analyte> {
    let at = format!("result[{n}]");
    if o["resourceType"] != "Observation" {
        problems.push(format!(
            "{at}: the reference must name an Observation in the Bundle."
        ));
        return None;
    }
    let code = concept_code(&o["code"]).unwrap_or_default();
    let display = concept_words(&o["code"]).unwrap_or_default();
    let q = &o["valueQuantity"];
    let value = q["value"].as_f64();
    let unit = text(&q["unit"])
        .or_else(|| text(&q["code"]))
        .unwrap_or_default();
    let range = o["referenceRange"]
        .as_array()
        .and_then(|r| r.first())
        .cloned()
        .unwrap_or(Value::Null);
    let low = range["low"]["value"].as_f64();
    let high = range["high"]["value"].as_f64();
    let given_flag = o["interpretation"]
        .as_array()
        .and_then(|i| i.first())
        .and_then(|c| c["coding"].as_array())
        .and_then(|c| c.first())
        .and_then(|c| c["code"].as_str())
        .map(|code| {
            Flag::from_interpretation(code).ok_or_else(|| {
                format!("{at}.interpretation: \"{}\" is not an interpretation code this server knows (N, L, H, A and their variants).", crate::fhir::short(code))
            })
        });
    let flag = match given_flag {
        Some(Ok(f)) => f,
        Some(Err(p)) => {
            problems.push(p);
            return None;
        }
        None => Flag::from_range(value, low, high),
    };
    Some(Analyte {
        code,
        display,
        value,
        text: text(&o["valueString"]).or_else(|| concept_words(&o["valueCodeableConcept"])),
        unit,
        low,
        high,
        flag,
    })
}

/// Reads a laboratory's Bundle. Structural problems (no DiagnosticReport,
/// a dangling reference, an unknown status) are refused here; the
/// service checks the rest.
pub fn report_of(bundle: &Value) -> Result<IncomingReport, Problems> {
    if bundle["resourceType"] != "Bundle" {
        return Err(vec![
            "resourceType: send a Bundle holding the DiagnosticReport.".into(),
        ]);
    }
    let entries = Entries::of(bundle);
    let reports = entries.of_type("DiagnosticReport");
    if reports.is_empty() && !entries.of_type("DocumentReference").is_empty() {
        return super::letter::letter_of(&entries);
    }
    let [report] = reports.as_slice() else {
        return Err(vec![format!(
            "entry: send exactly one DiagnosticReport (this Bundle has {}).",
            reports.len()
        )]);
    };
    let mut problems = Problems::new();
    let status = match report["status"].as_str().and_then(ReportStatus::parse) {
        Some(s) => s,
        None => {
            problems.push("status: give preliminary, final, amended or corrected.".into());
            ReportStatus::Final
        }
    };
    let patient = match entries.resolve(&report["subject"]) {
        Some(p) if p["resourceType"] == "Patient" => patient_of(p),
        _ => {
            problems.push("subject: reference the Patient in the Bundle.".into());
            Demographics::default()
        }
    };
    let mut analytes = Vec::new();
    for (n, r) in report["result"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        match entries.resolve(r) {
            Some(o) => analytes.extend(analyte_of(o, n, &mut problems)),
            None => problems.push(format!(
                "result[{n}]: reference an Observation in the Bundle."
            )),
        }
    }
    let laboratory = report["performer"]
        .as_array()
        .and_then(|p| p.first())
        .and_then(|p| {
            text(&p["display"]).or_else(|| entries.resolve(p).and_then(|o| text(&o["name"])))
        })
        .unwrap_or_default();
    let request = entries.of_type("ServiceRequest").into_iter().next();
    let requester = request.map(|r| &r["requester"]);
    let requester_id = requester
        .and_then(|r| r["reference"].as_str())
        .and_then(|r| r.rsplit_once("Practitioner/").map(|(_, id)| id.to_string()))
        .filter(|id| !id.is_empty());
    let requester_name = requester.and_then(|r| {
        text(&r["display"]).or_else(|| {
            let p = entries.resolve(r)?;
            let name = p["name"].as_array()?.first()?;
            text(&name["text"]).or_else(|| {
                let given = name["given"]
                    .as_array()
                    .map(|g| g.iter().filter_map(text).collect::<Vec<_>>().join(" "));
                Some(
                    format!("{} {}", given.unwrap_or_default(), text(&name["family"])?)
                        .trim()
                        .to_string(),
                )
            })
        })
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(IncomingReport {
        identifier: identifier_of(report).unwrap_or_default(),
        status,
        title: concept_words(&report["code"]).unwrap_or_default(),
        code: concept_code(&report["code"]),
        issued: text(&report["issued"]).unwrap_or_default(),
        laboratory,
        requester_id,
        requester_name,
        patient,
        analytes,
        conclusion: text(&report["conclusion"]),
        kind: domain::results::InboxKind::Report,
        document: None,
    })
}
