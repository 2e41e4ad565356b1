//! Tasks as other systems use them (the FHIR API): find, read, create and
//! move on by status. The same rules as the task pages (they call the same
//! changes), with the client's scopes; every task shown or changed is
//! audited, naming the client and the task's patient when it has one.

use super::{find as find_one, refused};
use crate::{audit, Actor, Result, ServiceError};
use domain::scopes::Interaction;
use domain::task::{TaskAction, TaskStatus, TaskView};
use domain::{Area, TaskId, Version};
use store::audit::Outcome;
use store::tasks::TaskFilter;
use store::Store;

/// May the actor do `interaction` on tasks: the Tasks area, and for a
/// client the scope for it.
pub(crate) fn allowed(actor: &Actor, interaction: Interaction) -> Result<()> {
    actor.require(Area::Tasks)?;
    if actor.role().is_none() && !actor.may_do("Task", interaction) {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

async fn audited(store: &Store, actor: &Actor, what: &str, task: &TaskView) -> Result<()> {
    audit::record(
        store,
        actor,
        what,
        task.patient_id.as_deref(),
        Outcome::Allowed,
    )
    .await
}

/// Tasks matching `filter` (total, and up to `count` from `offset`).
pub async fn search(
    store: &Store,
    actor: &Actor,
    filter: &TaskFilter,
    offset: usize,
    count: usize,
) -> Result<(usize, Vec<TaskView>)> {
    allowed(actor, Interaction::Search)?;
    let (total, page) = actor
        .db(store)
        .find_tasks(filter, offset, count.min(crate::patients::MAX_PAGE))
        .await?;
    for t in &page {
        audited(store, actor, "found a task in a search", t).await?;
    }
    Ok((total, page))
}

/// One task, audited.
pub async fn read(store: &Store, actor: &Actor, id: &TaskId) -> Result<TaskView> {
    allowed(actor, Interaction::Read)?;
    match find_one(store, actor, id).await {
        Ok(t) => {
            audited(store, actor, "read a task", &t).await?;
            Ok(t)
        }
        Err(ServiceError::NotFound) => {
            audit::refused(store, actor, "read task", id.as_str()).await?;
            Err(ServiceError::NotFound)
        }
        Err(e) => Err(e),
    }
}

/// A new task, audited.
pub async fn create(store: &Store, actor: &Actor, form: super::TaskForm) -> Result<TaskView> {
    let t = super::create(store, actor, form).await?;
    audited(store, actor, "created a task", &t).await?;
    Ok(t)
}

/// The action that moves a task from `from` to `to`, if one does (a
/// client cannot claim: claiming gives the task to the one claiming).
fn action_to(from: TaskStatus, to: TaskStatus) -> Option<TaskAction> {
    TaskAction::ALL
        .into_iter()
        .filter(|a| *a != TaskAction::Claim)
        .find(|a| from.apply(*a) == Ok(to))
}

/// Moves the task the actor read at `version` to status `to`, by the
/// status rules; audited.
pub async fn set_status(
    store: &Store,
    actor: &Actor,
    id: &TaskId,
    version: Version,
    to: TaskStatus,
) -> Result<TaskView> {
    allowed(actor, Interaction::Update)?;
    let current = actor
        .db(store)
        .task_at(id.as_str(), version.get())
        .await
        .map_err(refused)?;
    let action = action_to(current.status, to).ok_or_else(|| {
        ServiceError::field(
            "status",
            format!(
                "A task that is {} cannot become {}.",
                current.status.as_str(),
                to.as_str()
            ),
        )
    })?;
    let t = super::act(store, actor, id, version, action).await?;
    audited(store, actor, "changed a task's status", &t).await?;
    Ok(t)
}
