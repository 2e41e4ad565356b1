//! The patient page: for now the banner, who else has the record open, and
//! "New task" for the patient. The clinical record (summary, consultations,
//! audit) arrives with the patient-record work and builds on this page.

use crate::auth::CurrentUser;
use crate::live::{use_live_here, AlsoHere};
use crate::AppError;
use domain::book::PatientHit;
use domain::live::Place;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One patient of the caller's practice (another practice's: not found).
#[server(prefix = "/api", endpoint = "patient_brief")]
pub async fn get_patient_brief(id: String) -> Result<PatientHit, AppError> {
    let result = async {
        let actor = crate::auth::ssr::require_area(Area::Patients)?;
        let state = crate::auth::ssr::app_state()?;
        state
            .store
            .patient_brief(actor.practice_id(), &id)
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::NotFound)
    }
    .await;
    crate::error::with_status(result)
}

/// "3 Apr 1961 (65 years)" from YYYY-MM-DD, age on `today`.
pub fn birth_and_age(dob: &str, today: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let Some(d) = domain::time::iso_date(dob) else {
        return dob.to_string();
    };
    let mut age = today.year() - d.year();
    if (today.month(), today.day()) < (d.month(), d.day()) {
        age -= 1;
    }
    format!("{} ({age} years)", d.format("%-d %b %Y"))
}

#[component]
pub fn PatientPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Patients, &user) {
        return refusal;
    }
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    let live = use_live_here(
        None,
        Place::Patient { id: id.clone() },
        Signal::derive(|| false),
    );
    let patient = {
        let id = id.clone();
        LocalResource::new(move || get_patient_brief(id.clone()))
    };
    let today = domain::time::london_today(crate::live::clock_now());
    view! {
        <Title text="Patient" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match patient.await {
                    Err(AppError::NotFound) => view! { <h1 class="text-3xl font-bold">"Patient not found"</h1> }.into_any(),
                    Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
                    Ok(p) => {
                        let nhs = domain::nhs_number::NhsNumber::parse(&p.nhs_number).map(|n| n.to_string()).unwrap_or(p.nhs_number.clone());
                        view! {
                            <section aria-label="Patient banner" class="mb-4 bg-nhs-dark-blue p-4 text-white">
                                <h1 class="text-3xl font-bold">{p.display_name()}</h1>
                                <p class="text-lg">
                                    {format!("Born {} · NHS number {nhs} · {}", birth_and_age(&p.date_of_birth, today), p.postcode)}
                                </p>
                            </section>
                            <AlsoHere list=live />
                            <p><a class="op-button inline-block" href=format!("/tasks/new?patient={}", p.id)>"New task for this patient"</a></p>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_to_the_birthday() {
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            birth_and_age("1961-04-03", d("2026-11-21")),
            "3 Apr 1961 (65 years)"
        );
        assert_eq!(
            birth_and_age("1961-11-22", d("2026-11-21")),
            "22 Nov 1961 (64 years)"
        );
        assert_eq!(
            birth_and_age("1961-11-21", d("2026-11-21")),
            "21 Nov 1961 (65 years)"
        );
    }
}
