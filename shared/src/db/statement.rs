//! Hand-written PostgreSQL statements that diesel prepares once per connection.
//!
//! `diesel::sql_query` marks its statement unsafe to cache, so PostgreSQL parses and plans
//! it again on every call; a data-modifying CTE that saves round trips costs more to plan
//! than to run. A [`PgStatement`] whose text is the same on every call is cached by that
//! text, like diesel's own queries. Its parameters are placed as they are bound, so each
//! appears once in the text (a statement that uses one twice binds it in a first CTE).

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

enum Part<'a> {
    Sql(&'static str),
    Bind(Box<dyn QueryFragment<Pg> + Send + 'a>),
}

/// SQL text and parameters in the order they appear.
#[must_use = "a statement does nothing until it is executed"]
pub struct PgStatement<'a> {
    parts: Vec<Part<'a>>,
}

impl<'a> PgStatement<'a> {
    pub fn new(sql: &'static str) -> Self {
        Self {
            parts: vec![Part::Sql(sql)],
        }
    }

    /// More text.
    pub fn sql(mut self, sql: &'static str) -> Self {
        self.parts.push(Part::Sql(sql));
        self
    }

    /// A parameter here (`$n`).
    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'a,
        ST: Send + 'a,
    {
        self.parts.push(Part::Bind(Box::new(Bind::<ST, V> {
            value,
            sql_type: PhantomData,
        })));
        self
    }
}

struct Bind<ST, V> {
    value: V,
    sql_type: PhantomData<ST>,
}

impl<ST, V> QueryFragment<Pg> for Bind<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg>,
{
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        pass.push_bind_param::<ST, V>(&self.value)
    }
}

impl QueryFragment<Pg> for PgStatement<'_> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Unlike `sql_query`, no `unsafe_to_cache_prepared`: the text is the cache key.
        for part in &self.parts {
            match part {
                Part::Sql(sql) => pass.push_sql(sql),
                Part::Bind(bind) => bind.walk_ast(pass.reborrow())?,
            }
        }
        Ok(())
    }
}

impl QueryId for PgStatement<'_> {
    type QueryId = ();
    // No static id: diesel keys its statement cache by the SQL text instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PgStatement<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for PgStatement<'_> {}
