//! What a change of a request runs inside its transaction: the group's row
//! lock, the room it then counts, and the rows it reads back.

use jiff::Timestamp;
use kith_domain::ids::{GroupId, RequestId};
use kith_domain::membership::Occupancy;

use crate::StoreResult;
use crate::db::{Query, Tx, query};
use crate::membership::{
    GROUP_CAPACITY, INSERT_MESSAGE, LOCK_GROUP, MEMBER_COUNT, NewMessage, RequestRecord,
    RequestRow, request_by_row_id, room,
};
use crate::model::AccountId;

/// Locks a group's row; `NotFound` when it does not exist.
pub(super) async fn lock_group(tx: &mut Tx, group: i64) -> StoreResult<()> {
    query(LOCK_GROUP).bind(group).execute_or_not_found(tx).await
}

/// A group's room; true until commit only once [`lock_group`] holds.
pub(super) async fn room_of(tx: &mut Tx, group: i64) -> StoreResult<Occupancy> {
    let capacity: Option<i64> = query(GROUP_CAPACITY).bind(group).scalar(&mut *tx).await?;
    let members: i64 = query(MEMBER_COUNT).bind(group).scalar(tx).await?;
    Ok(room(capacity, members))
}

/// A request by its row id, as the transaction sees it.
pub(super) async fn request_by_row(tx: &mut Tx, id: i64) -> StoreResult<RequestRecord> {
    let row: RequestRow = query(request_by_row_id()).bind(id).fetch_one(tx).await?;
    row.into_record()
}

/// The statement that adds a message to a request's thread, for a change
/// and for a message on its own.
pub(super) fn insert_message<'a>(
    request: &'a RequestId,
    message: NewMessage<'a>,
    now: Timestamp,
) -> Query<'a> {
    query(INSERT_MESSAGE)
        .bind(request.as_str())
        .bind(message.author.0)
        .bind(i64::from(message.from_host))
        .bind(message.body)
        .bind(now)
        .bind(i64::from(message.hidden_from_hosts))
}

/// One of the `COUNT(*)` checks of a group and an account.
pub(super) async fn count(
    tx: &mut Tx,
    sql: &'static str,
    group: GroupId,
    account: AccountId,
) -> StoreResult<i64> {
    query(sql).bind(group.0).bind(account.0).scalar(tx).await
}
