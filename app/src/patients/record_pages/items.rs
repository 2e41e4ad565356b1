use super::*;

/// Problems, allergies and medications, current and past, with their
/// history; review, end, and add.
#[component]
pub(crate) fn ItemLists(
    patient_id: String,
    items: Vec<RecordItem>,
    on_change: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let empty = items.is_empty();
    let rows = items
        .into_iter()
        .map(|i| view! { <ItemRow item=i error on_change /> })
        .collect_view();
    view! {
        {move || error.get().map(|e| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{e}</p> })}
        {empty.then(|| view! { <p class="mb-2">"None recorded."</p> })}
        <table hidden=empty class="mb-4 w-full bg-white">
            <caption class="sr-only">"Problems, allergies and medications, current first"</caption>
            <thead><tr class="text-left">
                <th scope="col" class="p-2">"Kind"</th>
                <th scope="col" class="p-2">"Entry"</th>
                <th scope="col" class="p-2">"Status"</th>
                <th scope="col" class="p-2">"History"</th>
                <th scope="col" class="p-2">"Actions"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <AddItem patient_id on_change />
    }
}

#[component]
pub(crate) fn ItemRow(
    item: RecordItem,
    error: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let kind = match item.kind {
        ItemKind::Problem => "Problem",
        ItemKind::Allergy => "Allergy",
        ItemKind::Medication => "Medication",
    };
    let status = if item.active {
        format!("Current since {}", pretty_date(&item.since))
    } else {
        format!(
            "Past: ended {}",
            item.ended_on
                .as_deref()
                .map(pretty_date)
                .unwrap_or_default()
        )
    };
    let history = item
        .history
        .iter()
        .map(|h| format!("{} — {} ({})", london_text(&h.at), h.what, h.by))
        .collect::<Vec<_>>();
    let name = item.describe();
    let note = RwSignal::new(String::new());
    let act = move |id: String, version: i64, action: domain::record::ItemAction| {
        leptos::task::spawn_local(async move {
            match change_record_item(id.into(), version.into(), action, note.get_untracked()).await
            {
                Ok(_) => {
                    error.set(None);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let actions = item.active.then(|| {
        let (id1, id2) = (item.id.clone(), item.id.clone());
        let v = item.version;
        let note_id = format!("note-{}", item.id);
        view! {
            <label for=note_id.clone() class="sr-only">{format!("Note for {name}")}</label>
            <input id=note_id class="op-input mb-1 w-full" placeholder="Note (optional)"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            <span class="flex flex-wrap gap-2">
                <button type="button" class="op-button-secondary" aria-label=format!("Review {name}")
                    on:click=move |_| act(id1.clone(), v, domain::record::ItemAction::Review)>"Review"</button>
                <button type="button" class="op-button-secondary" aria-label=format!("End {name}")
                    on:click=move |_| act(id2.clone(), v, domain::record::ItemAction::End)>"End"</button>
            </span>
        }
    });
    view! {
        <tr class="border-t border-nhs-grey-4 align-top">
            <td class="p-2">{kind}</td>
            <td class="p-2 font-bold">{item.describe()}{item.note.clone().map(|n| format!(" ({n})"))}</td>
            <td class="p-2">{status}</td>
            <td class="p-2"><details><summary class="op-link cursor-pointer">{format!("{} changes", history.len())}</summary>{list_or("", history)}</details></td>
            <td class="p-2">{actions}</td>
        </tr>
    }
}

/// The term box with the SNOMED picker under it: typing lists matching
/// concepts as buttons; picking one fills the box and keeps its code.
#[component]
pub(crate) fn Picker(
    id: &'static str,
    label: &'static str,
    kind: Signal<Option<CodeKind>>,
    on_pick: Callback<(String, String)>,
    typed: RwSignal<String>,
) -> impl IntoView {
    let hits = move || {
        let t = typed.get();
        if t.trim().chars().count() < 3 {
            Vec::new()
        } else {
            find_concepts(&t, kind.get(), 8)
        }
    };
    let list_id = format!("{id}-choices");
    view! {
        <div>
            <label for=id class="mb-1 block font-bold">{label}</label>
            <p id=format!("{id}-hint") class="text-sm">"Type at least 3 letters, then pick from the list"</p>
            <input id=id class="op-input w-full" autocomplete="off" aria-describedby=format!("{id}-hint")
                aria-controls=list_id.clone()
                prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <ul id=list_id aria-label=format!("{label}: matching codes") class="mt-1 grid gap-1">
                {move || hits().into_iter().map(|c| {
                    let (code, term) = (c.id.to_string(), c.term.to_string());
                    view! {
                        <li>
                            <button type="button" class="op-button-secondary w-full text-left"
                                on:click=move |_| on_pick.run((code.clone(), term.clone()))>
                                {format!("{} ({})", c.term, c.id)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
pub(crate) fn AddItem(patient_id: String, on_change: Callback<()>) -> impl IntoView {
    let kind = RwSignal::new("problem".to_string());
    let code = RwSignal::new(String::new());
    let term = RwSignal::new(String::new());
    let dose = RwSignal::new(String::new());
    let frequency = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<String, AppError>>);
    let code_kind =
        Signal::derive(move || ItemKind::parse(&kind.get()).and_then(|k| k.code_kind()));
    let err = move |f: &'static str| {
        Signal::derive(move || {
            result
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field_message(f))
        })
    };
    let pick = Callback::new(move |(c, t): (String, String)| {
        code.set(c);
        term.set(t);
    });
    // Typing over a picked term un-picks its code.
    Effect::new(move |prev: Option<String>| {
        let t = term.get();
        if prev.is_some_and(|p| p != t) && !code.get_untracked().is_empty() {
            let still =
                domain::clinical::concept(&code.get_untracked()).is_some_and(|c| c.term == t);
            if !still {
                code.set(String::new());
            }
        }
        t
    });
    let submit = move |_| {
        let patient_id = patient_id.clone();
        let form = ItemForm {
            kind: kind.get_untracked(),
            code: code.get_untracked(),
            term: term.get_untracked(),
            dose: dose.get_untracked(),
            frequency: frequency.get_untracked(),
            note: note.get_untracked(),
            since: since.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match add_record_item(patient_id.into(), form).await {
                Ok(item) => {
                    result.set(Some(Ok(format!("Added: {}", item.describe()))));
                    for s in [code, term, dose, frequency, note, since] {
                        s.set(String::new());
                    }
                    on_change.run(());
                }
                Err(e) => result.set(Some(Err(e))),
            }
        });
    };
    let field = |id: &'static str,
                 label: &'static str,
                 value: RwSignal<String>,
                 error: Signal<Option<String>>| {
        view! {
            <div>
                <label for=id class="mb-1 block font-bold">{label}</label>
                {move || error.get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
                <input id=id class="op-input w-full" aria-invalid=move || error.get().is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <section aria-label="Add to the record" class="grid max-w-2xl gap-3 bg-white p-4">
            <h3 class="text-xl font-bold">"Add a problem, allergy or medication"</h3>
            {move || result.get().map(|r| match r {
                Ok(m) => view! { <p role="status" class="font-bold">{m}</p> }.into_any(),
                Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{format!("Not added: {e}")}</p> }.into_any(),
            })}
            <div>
                <label for="item-kind" class="mb-1 block font-bold">"Kind"</label>
                <select id="item-kind" class="op-input" on:change=move |ev| { kind.set(event_target_value(&ev)); code.set(String::new()); }>
                    <option value="problem">"Problem"</option>
                    <option value="allergy">"Allergy"</option>
                    <option value="medication">"Medication"</option>
                </select>
            </div>
            {move || err("term").get().map(|e| view! { <p class="font-bold text-nhs-red">{e}</p> })}
            {move || if code_kind.get().is_some() {
                view! { <Picker id="item-term" label="Problem or allergy" kind=code_kind on_pick=pick typed=term /> }.into_any()
            } else {
                view! {
                    {field("item-term", "Medication name", term, Signal::derive(|| None))}
                    {field("item-dose", "Dose", dose, err("dose"))}
                    {field("item-frequency", "Frequency", frequency, err("frequency"))}
                }.into_any()
            }}
            {move || (!code.get().is_empty()).then(|| view! { <p class="text-sm">{format!("Coded: SNOMED CT {}", code.get())}</p> })}
            {field("item-note", "Note or reaction (optional)", note, err("note"))}
            {field("item-since", "Since (optional, today if blank)", since, err("since"))}
            <button type="button" class="op-button justify-self-start" on:click=submit>"Add to the record"</button>
        </section>
    }
}
