//! Which result topics (a clinician's inbox, the pool) a report belongs
//! to, and which changes reach them.

use super::Topic;

impl Topic {
    /// Whether a report belongs in this topic (unfiled, and with this
    /// clinician or, for the pool, with no one).
    pub fn includes_result(&self, r: &crate::results::InboxRow) -> bool {
        let unfiled = r.state == crate::results::ItemState::Unfiled;
        match self {
            Topic::Inbox { staff } => unfiled && r.assigned_id.as_deref() == Some(staff.as_str()),
            Topic::ResultsPool => unfiled && r.assigned_id.is_none(),
            _ => false,
        }
    }

    /// Whether a report change routed to `staff` (the clinician it was
    /// with before or after; none: the pool) must reach this topic.
    pub fn routes_result(&self, staff: Option<&str>) -> bool {
        match self {
            Topic::Inbox { staff: s } => staff == Some(s.as_str()),
            Topic::ResultsPool => staff.is_none(),
            _ => false,
        }
    }
}
