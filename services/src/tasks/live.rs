//! Task topics: a team's list, a person's own, one task. A task that left
//! a list is still sent to it (the outbox names the list it left as well
//! as the one it joined), so the list drops it.

use domain::live::{EventKind, Rows, Topic};
use domain::task::TaskView;
use std::collections::HashMap;
use store::live::Event;
use store::{PracticeStore, StoreError};

/// Everything in a task topic now.
pub(crate) async fn snapshot(db: &PracticeStore, topic: &Topic) -> Result<Rows, StoreError> {
    Ok(Rows::Tasks(match topic {
        Topic::TeamTasks { team } => db.team_tasks(team).await?,
        Topic::MyTasks { staff } => db.my_tasks(staff).await?,
        Topic::Task { id } => db.tasks_by_id(std::slice::from_ref(id)).await?,
        _ => Vec::new(),
    }))
}

/// Task events are few; a catch-up reads them all and filters by the task
/// itself (a task reassigned away must still reach the list it left).
pub(crate) fn concerns(e: &Event) -> bool {
    e.kind == EventKind::Task
}

fn belongs(
    topic: &Topic,
    t: &TaskView,
    routes: &[(String, Option<String>, Option<String>)],
) -> bool {
    topic.includes_task(t)
        || routes.iter().any(|(id, team, staff)| {
            id == &t.id && topic.routes_task(team.as_deref(), staff.as_deref())
        })
}

fn routes(events: &[Event]) -> Vec<(String, Option<String>, Option<String>)> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Task)
        .map(|e| (e.record.clone(), e.team.clone(), e.staff.clone()))
        .collect()
}

/// The tasks of `ids` that belong in the topic, or left it since.
pub(crate) async fn rows_for_ids(
    db: &PracticeStore,
    topic: &Topic,
    ids: &[String],
    events: &[Event],
) -> Result<Rows, StoreError> {
    let routes = routes(events);
    let mut tasks = db.tasks_by_id(ids).await?;
    tasks.retain(|t| belongs(topic, t, &routes));
    Ok(Rows::Tasks(tasks))
}

/// What the hub remembers of a practice's tasks between batches: each
/// task's (version, comments) as last published, so a state that an
/// earlier batch already carried (read after a later change had
/// committed) is not sent twice.
#[derive(Debug, Default)]
pub struct Published(HashMap<String, (i64, i64)>);

/// A batch's changed tasks and where each change was routed.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    tasks: Vec<TaskView>,
    routes: Vec<(String, Option<String>, Option<String>)>,
}

impl Changed {
    pub(crate) async fn load(
        db: &PracticeStore,
        events: &[Event],
        published: &mut Published,
    ) -> Result<Self, StoreError> {
        let mut ids: Vec<String> = events
            .iter()
            .filter(|e| e.kind == EventKind::Task)
            .map(|e| e.record.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let routes = routes(events);
        let tasks = fresh(published, db.tasks_by_id(&ids).await?, &routes);
        Ok(Self { tasks, routes })
    }

    pub(crate) fn rows_for(&self, topic: &Topic) -> Rows {
        Rows::Tasks(
            self.tasks
                .iter()
                .filter(|t| belongs(topic, t, &self.routes))
                .cloned()
                .collect(),
        )
    }
}

/// The tasks not already published in this state. One is sent again only
/// when a change in this batch concerned a list the task is no longer in
/// (that list must hear that it left).
fn fresh(
    published: &mut Published,
    tasks: Vec<TaskView>,
    routes: &[(String, Option<String>, Option<String>)],
) -> Vec<TaskView> {
    let sent = &mut published.0;
    if sent.len() > 100_000 {
        // Forgetting only costs a harmless repeat.
        sent.clear();
    }
    tasks
        .into_iter()
        .filter(|t| {
            let state = (t.version, t.comment_count);
            let left_a_list = routes.iter().any(|(id, team, staff)| {
                id == &t.id
                    && (team.as_deref() != t.assigned_team_id.as_deref()
                        || staff.as_deref() != t.assigned_staff_id.as_deref())
            });
            let repeat = sent.insert(t.id.clone(), state) == Some(state);
            !repeat || left_a_list
        })
        .collect()
}
