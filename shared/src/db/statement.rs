//! Hand-written statements that diesel prepares once per connection.
//!
//! `diesel::sql_query` marks its statement unsafe to cache, so the database parses and
//! plans it again on every call; a data-modifying CTE that saves round trips costs more
//! to plan than to run, and a read run for every request pays the parse each time. A
//! [`Statement`] whose text is the same on every call is cached by that text, like
//! diesel's own queries. Its parameters are placed as they are bound, so each appears once
//! in the text (bind a value twice to use it twice, or bind it in a first CTE).
//!
//! Its rows are read by column name (`QueryableByName`), or by position once [`typed`]:
//! by name, every field of every row is looked up among the columns' names, which on a
//! read of a few dozen rows cost more than SQLite's own work.
//!
//! [`typed`]: Statement::typed

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::connection::Connection;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, RunQueryDsl};

enum Part<'a, DB> {
    Sql(&'static str),
    Bind(Box<dyn QueryFragment<DB> + Send + 'a>),
}

/// SQL text and parameters in the order they appear.
#[must_use = "a statement does nothing until it is executed"]
pub struct Statement<'a, DB> {
    parts: Vec<Part<'a, DB>>,
}

/// A statement for PostgreSQL alone (data-modifying CTEs, `unnest`).
pub type PgStatement<'a> = Statement<'a, Pg>;

impl<'a, DB: Backend + 'a> Statement<'a, DB> {
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

    /// The statement with rows of SQL types `ST` (a tuple, one per column in order), read
    /// by position into a `Queryable` row.
    pub fn typed<ST>(self) -> Typed<'a, DB, ST> {
        Typed {
            statement: self,
            sql_type: PhantomData,
        }
    }

    /// A parameter here (`$n` on PostgreSQL, `?` on SQLite).
    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        DB: HasSqlType<ST>,
        V: ToSql<ST, DB> + Send + 'a,
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

impl<ST, V, DB> QueryFragment<DB> for Bind<ST, V>
where
    DB: Backend + HasSqlType<ST>,
    V: ToSql<ST, DB>,
{
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        pass.push_bind_param::<ST, V>(&self.value)
    }
}

impl<DB: Backend> QueryFragment<DB> for Statement<'_, DB> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
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

impl<DB> QueryId for Statement<'_, DB> {
    type QueryId = ();
    // No static id: diesel keys its statement cache by the SQL text instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: Backend> Query for Statement<'_, DB> {
    type SqlType = Untyped;
}

impl<C: Connection> RunQueryDsl<C> for Statement<'_, C::Backend> {}

/// A [`Statement`] whose rows are of SQL types `ST`.
#[must_use = "a statement does nothing until it is executed"]
pub struct Typed<'a, DB, ST> {
    statement: Statement<'a, DB>,
    sql_type: PhantomData<ST>,
}

impl<DB: Backend, ST> QueryFragment<DB> for Typed<'_, DB, ST> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.statement.walk_ast(pass)
    }
}

impl<DB, ST> QueryId for Typed<'_, DB, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: Backend, ST: 'static> Query for Typed<'_, DB, ST> {
    type SqlType = ST;
}

impl<C: Connection, ST> RunQueryDsl<C> for Typed<'_, C::Backend, ST> {}
