//! Display links for the waiting-room call screen: reception or the admin
//! team create one for a TV, and revoke it when a screen is lost or moved.
//! The secret is shown once, when created; only its hash is stored. A
//! screen opened with a link sees the call screen only.

use crate::auth::{new_token, token_key};
use crate::{Actor, Result, ServiceError};
use domain::live::DisplayLinkInfo;
use domain::policy::manages_display_links;
use domain::{DisplayLinkId, PracticeId};
use store::{Store, StoreError};

fn manager(actor: &Actor) -> Result<()> {
    if actor.role().is_some_and(manages_display_links) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Creates a link; returns its address, shown once. The secret is in the
/// fragment, which browsers never send: it stays out of the server's,
/// proxies' and the browser history's record of addresses; the screen
/// sends it in its socket's first message.
pub async fn create(store: &Store, actor: &Actor) -> Result<String> {
    manager(actor)?;
    let key = new_token();
    actor
        .db(store)
        .create_display_link(&token_key(&key), actor.staff_id()?.as_str())
        .await
        .map_err(ServiceError::internal)?;
    tracing::info!(staff = %actor.staff_id()?, "display link created");
    Ok(format!("/display/{}#key={key}", actor.practice))
}

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<DisplayLinkInfo>> {
    manager(actor)?;
    let links = actor
        .db(store)
        .display_links()
        .await
        .map_err(ServiceError::internal)?;
    Ok(links
        .into_iter()
        .map(|l| DisplayLinkInfo {
            id: l.id,
            created_by: l.created_by,
            created_at: l.created_at,
            revoked: l.revoked,
        })
        .collect())
}

/// Revokes a link: screens using it stop.
pub async fn revoke(store: &Store, actor: &Actor, id: &DisplayLinkId) -> Result<()> {
    manager(actor)?;
    if id.is_empty() {
        return Err(ServiceError::NotFound);
    }
    match actor.db(store).revoke_display_link(id.as_str()).await {
        Ok(()) => {
            tracing::info!(staff = %actor.name, link = %id, "display link revoked");
            Ok(())
        }
        Err(StoreError::NotFound) => Err(ServiceError::NotFound),
        Err(e) => Err(ServiceError::internal(e)),
    }
}

/// The live link a secret opens, and its practice (none: unknown or revoked).
pub async fn link(store: &Store, key: &str) -> Result<Option<(DisplayLinkId, PracticeId)>> {
    if key.is_empty() || key.len() > 128 {
        return Ok(None);
    }
    Ok(store.display_link_by_token(&token_key(key)).await?)
}

/// Is link `id` still live (not revoked)?
pub async fn still_live(store: &Store, key: &str, id: &DisplayLinkId) -> Result<bool> {
    Ok(link(store, key).await?.is_some_and(|(live, _)| &live == id))
}

/// The call screen's practice name and chime setting, for the holder of a
/// live display link of `practice` (anything else: not found).
pub async fn screen_info(
    store: &Store,
    practice: &str,
    key: &str,
) -> Result<domain::settings::CallScreenInfo> {
    let Some((_, pid)) = link(store, key).await? else {
        return Err(ServiceError::NotFound);
    };
    if pid.as_str() != practice {
        return Err(ServiceError::NotFound);
    }
    // Only the name and the chime are read from these settings.
    let unused = domain::live::WaitThresholds {
        amber_minutes: 15,
        red_minutes: 30,
    };
    let s = store.practice(&pid).settings(unused).await?;
    Ok(domain::settings::CallScreenInfo {
        practice_name: s.name,
        chime: s.call_chime,
    })
}
