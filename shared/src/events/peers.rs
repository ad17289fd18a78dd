//! Routing by declaration: each peer service states the event types it takes
//! (`GET /v1/events/subscriptions`); a producer stores each configured peer's last
//! declaration and delivers a type to the peers that take it. A peer it has not heard
//! from yet gets every event, so nothing is lost while it is down, and a service added
//! later needs no change anywhere else.

use chrono::NaiveDateTime;
use continuity_contract::{EventType, ServiceName};
use diesel::prelude::*;

use super::schema::peer_subscriptions as ps;
use super::schema::webhook_subscriptions as ws;
use crate::db::{DbConnection, DbResult};
use crate::with_backend;

/// Where events go: each configured peer, with the types it declared (`None`: not heard
/// from yet, so all of them).
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerRoutes(Vec<(String, Option<Vec<String>>)>);

impl PeerRoutes {
    /// The peers that take `event_type`.
    pub fn takers<'a>(&'a self, event_type: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(_, types)| match types {
                None => true,
                Some(types) => types.iter().any(|t| t == event_type),
            })
            .map(|(peer, _)| peer.as_str())
    }
}

/// Makes the stored peers the configured ones: new ones start undeclared, ones no longer
/// configured stop receiving new events (what is queued for them stays).
pub(crate) fn sync_configured(
    conn: &mut DbConnection,
    peers: &[ServiceName],
    now: NaiveDateTime,
) -> DbResult<()> {
    let names: Vec<&str> = peers.iter().map(|p| p.as_str()).collect();
    diesel::delete(ps::table.filter(ps::peer.ne_all(&names))).execute(conn)?;
    for name in names {
        let row = (
            ps::peer.eq(name),
            ps::event_types.eq(None::<String>),
            ps::declared_at.eq(None::<NaiveDateTime>),
            ps::updated_at.eq(now),
        );
        with_backend!(&mut *conn, |c| diesel::insert_into(ps::table)
            .values(row)
            .on_conflict(ps::peer)
            .do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Stores what `peer` declared; true when it differs from what was stored.
pub(crate) fn record_declaration(
    conn: &mut DbConnection,
    peer: &ServiceName,
    types: &[EventType],
    now: NaiveDateTime,
) -> DbResult<bool> {
    let mut names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let json = serde_json::to_string(&names).unwrap_or_else(|_| "[]".into());
    let changed = diesel::update(
        ps::table
            .find(peer.as_str())
            .filter(ps::event_types.is_null().or(ps::event_types.ne(&json))),
    )
    .set((
        ps::event_types.eq(Some(&json)),
        ps::declared_at.eq(Some(now)),
        ps::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// The routes as stored now (a declaration that does not parse counts as undeclared:
/// every event, which loses nothing) and every active webhook subscription with its types
/// (as stored, JSON), in one query: a publication reads both.
pub(crate) fn routes_and_webhooks(
    conn: &mut DbConnection,
) -> DbResult<(PeerRoutes, Vec<(String, String)>)> {
    use diesel::sql_types::Bool;
    // UNION is not in the MultiConnection's grammar: each backend's own connection runs it.
    // The flags are bound values, not SQL literals, so that diesel prepares the statement
    // once per connection (a literal makes it prepare it anew every time).
    let rows: Vec<(bool, String, Option<String>)> = with_backend!(&mut *conn, |c| {
        ps::table
            .select((false.into_sql::<Bool>(), ps::peer, ps::event_types))
            .union_all(ws::table.filter(ws::active.eq(true)).select((
                true.into_sql::<Bool>(),
                ws::id,
                ws::event_types.nullable(),
            )))
            .load(c)
    })?;
    let mut peers = Vec::new();
    let mut hooks = Vec::new();
    for (is_hook, name, types) in rows {
        if is_hook {
            hooks.push((name, types.unwrap_or_default()));
        } else {
            let types = types.and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok());
            peers.push((name, types));
        }
    }
    peers.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((PeerRoutes(peers), hooks))
}

/// Each peer with its declared types (`None`: not heard from yet) and when it declared
/// them, for the admin view.
pub(crate) type Declared = (String, Option<Vec<String>>, Option<NaiveDateTime>);

pub(crate) fn declarations(conn: &mut DbConnection) -> DbResult<Vec<Declared>> {
    let rows: Vec<(String, Option<String>, Option<NaiveDateTime>)> = ps::table
        .select((ps::peer, ps::event_types, ps::declared_at))
        .order(ps::peer.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(peer, types, at)| {
            let types = types.and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok());
            (peer, types, at)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(rows: &[(&str, Option<&[&str]>)]) -> PeerRoutes {
        PeerRoutes(
            rows.iter()
                .map(|(p, t)| {
                    (
                        p.to_string(),
                        t.map(|t| t.iter().map(|s| s.to_string()).collect()),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn a_peer_not_heard_from_takes_every_event() {
        let r = routes(&[("a", None)]);
        assert_eq!(r.takers("anything.at_all").collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn a_peer_that_declared_takes_only_what_it_declared() {
        let r = routes(&[("a", Some(&["employee.upserted"])), ("b", Some(&[]))]);
        assert_eq!(r.takers("employee.upserted").collect::<Vec<_>>(), ["a"]);
        assert!(r.takers("department.upserted").next().is_none());
    }
}
