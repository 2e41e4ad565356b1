//! `/admin/rooms`: the practice's rooms. Add, rename, retire (a retired
//! room is offered for no new session or rota; sessions already in it keep
//! it) or bring back. The rules are the clinics service's.

use super::rotas::outcome;
use crate::auth::sign_in_page::FormField;
use crate::auth::CurrentUser;
use crate::AppError;
use domain::rota::RoomView;
use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/api", endpoint = "add_room")]
pub async fn add_room(room_name: String) -> Result<String, AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::add_room(&store, &actor, &room_name).await?)
}

#[server(prefix = "/api", endpoint = "rename_room")]
pub async fn rename_room(id: String, version: i64, room_name: String) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::rename_room(&store, &actor, &id, version, &room_name).await?)
}

#[server(prefix = "/api", endpoint = "set_room_retired")]
pub async fn set_room_retired(id: String, version: i64, retired: bool) -> Result<(), AppError> {
    let (store, actor) = crate::door::staff()?;
    Ok(services::clinics::set_room_retired(&store, &actor, &id, version, retired).await?)
}

#[component]
pub fn RoomsPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    if let Some(refusal) = crate::shell::forbidden(Area::Admin, &user) {
        return refusal;
    }
    let add = ServerAction::<AddRoom>::new();
    let rename = ServerAction::<RenameRoom>::new();
    let retire = ServerAction::<SetRoomRetired>::new();
    let rooms = LocalResource::new(move || {
        add.version().track();
        rename.version().track();
        retire.version().track();
        async move { super::get_rotas_info().await.map(|i| i.rooms) }
    });
    let add_error = Signal::derive(move || {
        add.value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message("room_name"))
    });
    let rename_error = move || {
        rename
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field_message("room_name"))
    };
    view! {
        <Title text="Rooms" />
        <h1 class="mb-2 text-3xl font-bold">"Rooms"</h1>
        <p class="mb-4 max-w-2xl">"A retired room is not offered for new sessions or rotas; sessions already in it keep it."</p>
        {move || outcome(add.value().get(), |_| "Room added.".to_string())}
        {move || outcome(rename.value().get(), |_| "Room renamed.".to_string())}
        {move || rename_error().map(|m| view! { <p role="alert" class="mb-2 font-bold text-nhs-red">{m}</p> })}
        {move || outcome(retire.value().get(), |_| "Room changed.".to_string())}
        {crate::loading::when_loaded(rooms, move |loaded| match loaded {
            Err(e) => view! { <p role="alert" class="font-bold text-nhs-red">{e.to_string()}</p> }.into_any(),
            Ok(rooms) => view! {
                <ul class="mb-6 grid max-w-3xl gap-2">
                    {rooms.into_iter().map(|r| room_row(r, rename, retire)).collect_view()}
                </ul>
            }.into_any(),
        })}
        <h2 class="mb-2 text-2xl font-bold">"Add a room"</h2>
        <ActionForm action=add attr:class="flex max-w-xl flex-wrap items-end gap-3 bg-white p-4">
            <FormField id="room-name" label="Name" error=add_error>
                <input id="room-name" name="room_name" class="op-input" aria-describedby="room-name-error" />
            </FormField>
            <button type="submit" class="op-button">"Add room"</button>
        </ActionForm>
    }
    .into_any()
}

fn room_row(
    r: RoomView,
    rename: ServerAction<RenameRoom>,
    retire: ServerAction<SetRoomRetired>,
) -> impl IntoView {
    let input = format!("rename-{}", r.id);
    let (id, name) = (r.id.clone(), r.name.clone());
    let shown = format!("{}{}", r.name, if r.retired { " (retired)" } else { "" });
    let (verb, next) = if r.retired {
        ("Bring back", false)
    } else {
        ("Retire", true)
    };
    view! {
        <li class="flex flex-wrap items-end justify-between gap-3 bg-white p-3">
            <ActionForm action=rename attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="id" value=r.id.clone() />
                <input type="hidden" name="version" value=r.version.to_string() />
                <div>
                    <label for=input.clone() class="mb-1 block font-bold">
                        {shown}
                    </label>
                    <input id=input name="room_name" class="op-input" value=r.name.clone() />
                </div>
                <button type="submit" class="op-button-secondary" aria-label=format!("Rename {}", r.name)>"Rename"</button>
            </ActionForm>
            <ActionForm action=retire>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=r.version.to_string() />
                <input type="hidden" name="retired" value=next.to_string() />
                <button type="submit" class="op-button-secondary" aria-label=format!("{verb} {name}")>{verb}</button>
            </ActionForm>
        </li>
    }
}
