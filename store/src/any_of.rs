//! "This field is one of these records", written so the database answers
//! it from the field's index. SurrealDB 3 answers `field IN $list` by
//! scanning the whole table (every observation of every practice, for
//! each page of an export or each patient page), but a disjunction of
//! equalities with one index lookup each (a bitmap index scan). The
//! disjunction is nested as a balanced tree: the parser refuses a flat
//! chain of more than about a hundred `OR`s.

use surrealdb::engine::any::Any;
use surrealdb::method::Query;
use surrealdb::types::RecordId;

/// A set of records, bound as `$<prefix>0`, `$<prefix>1`, … in a query.
pub(crate) struct AnyOf {
    prefix: &'static str,
    ids: Vec<RecordId>,
}

impl AnyOf {
    /// The records `ids` of `table`. `prefix` must differ from every
    /// other variable of the query it is used in.
    pub(crate) fn new<S: AsRef<str>>(
        prefix: &'static str,
        table: &str,
        ids: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            prefix,
            ids: ids
                .into_iter()
                .map(|id| RecordId::new(table, id.as_ref()))
                .collect(),
        }
    }

    /// The condition "`field` is one of the records" (`false` for none).
    pub(crate) fn on(&self, field: &str) -> String {
        if self.ids.is_empty() {
            return "false".into();
        }
        let mut out = String::new();
        self.tree(field, 0, self.ids.len(), &mut out);
        out
    }

    fn tree(&self, field: &str, from: usize, to: usize, out: &mut String) {
        if to - from == 1 {
            out.push_str(&format!("{field} = ${}{from}", self.prefix));
            return;
        }
        let mid = from + (to - from) / 2;
        out.push('(');
        self.tree(field, from, mid, out);
        out.push_str(" OR ");
        self.tree(field, mid, to, out);
        out.push(')');
    }

    /// Binds the records to the query.
    pub(crate) fn bind<'r>(self, mut q: Query<'r, Any>) -> Query<'r, Any> {
        for (i, id) in self.ids.into_iter().enumerate() {
            q = q.bind((format!("{}{i}", self.prefix), id));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::AnyOf;

    #[test]
    fn a_balanced_disjunction_of_equalities() {
        let none = AnyOf::new("p", "patient", Vec::<String>::new());
        assert_eq!(none.on("patient"), "false");
        let one = AnyOf::new("p", "patient", ["a"]);
        assert_eq!(one.on("patient"), "patient = $p0");
        let three = AnyOf::new("p", "patient", ["a", "b", "c"]);
        assert_eq!(
            three.on("patient"),
            "(patient = $p0 OR (patient = $p1 OR patient = $p2))"
        );
        // A thousand records nest about ten deep, not a thousand.
        let many = AnyOf::new("p", "patient", (0..1000).map(|i| i.to_string()));
        let depth = many.on("patient").chars().take_while(|c| *c == '(').count();
        assert!(depth <= 10, "nested {depth} deep");
    }

    /// The planner answers each use of `AnyOf` in this crate from an
    /// index, however many records (an export's page is 200 patients and
    /// their thousand entries): never a scan of the table, which grows
    /// with every practice on the database.
    #[tokio::test]
    async fn every_use_is_answered_from_an_index() {
        let store = crate::Store::memory().await.unwrap();
        for (table, field, parent) in [
            ("record_item", "patient", "patient"),
            ("observation", "patient", "patient"),
            ("consultation", "patient", "patient"),
            ("appointment", "patient", "patient"),
            ("result_report", "patient", "patient"),
            ("record_item_change", "item", "record_item"),
            ("observation", "consultation", "consultation"),
            ("consultation_amendment", "consultation", "consultation"),
            ("task_comment", "task", "task"),
        ] {
            let any = AnyOf::new("x", parent, (0..1000).map(|i| format!("k{i}")));
            let q = store.db().query(format!(
                "SELECT * FROM {table} WHERE {} EXPLAIN",
                any.on(field)
            ));
            let mut res = any.bind(q).await.unwrap().check().unwrap();
            let plan: surrealdb::types::Value = res.take(0).unwrap();
            let plan = format!("{plan:?}");
            assert!(
                plan.contains("IndexScan") && !plan.contains("TableScan"),
                "{table}.{field} is not read through its index: {}",
                &plan[..plan.len().min(400)]
            );
        }
    }
}
