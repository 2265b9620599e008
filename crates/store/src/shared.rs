//! What is left of the store's per-backend macro while capabilities move
//! to plain code over [`Db`](crate::db::Db) (issue 19), and the derived
//! columns a group is stored with.

/// Implements `Store` for a backend type with a `pool` field, given the
/// statement that begins a writing transaction and the backend-specific
/// methods.
macro_rules! impl_store {
    ($ty:ty, $begin:expr, { $($specific:tt)* }) => {

        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            $($specific)*

            async fn ping(&self) -> $crate::StoreResult<()> {
                sqlx::query($crate::sql::PING).execute(&self.pool).await?;
                Ok(())
            }

            async fn ensure_account(&self, handle: &str, now: jiff::Timestamp) -> $crate::StoreResult<$crate::AccountId> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($crate::sql::ENSURE_ACCOUNT)
                    .bind(handle)
                    .bind(now.as_second())
                    .execute(&mut *tx)
                    .await?;
                let id: i64 = sqlx::query_scalar($crate::sql::ACCOUNT_BY_HANDLE)
                    .bind(handle)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok($crate::AccountId(id))
            }

        }
    };
}
pub(crate) use impl_store;

use kith_domain::text;

use kith_domain::group::NewGroup;

/// The derived columns a group is stored with.
pub(crate) struct GroupColumns {
    pub sort_name: String,
    pub focus_mask: i64,
    pub attribute_mask: i64,
    pub language_primary: String,
    pub region_key: Option<String>,
    pub city_key: Option<String>,
    pub search_text: String,
}

impl GroupColumns {
    pub(crate) fn of(group: &NewGroup) -> Self {
        let p = &group.profile;
        let place = &p.place;
        Self {
            sort_name: text::place_key(&p.name),
            focus_mask: p.focus.iter().fold(0, |m, f| m | f.bit()),
            attribute_mask: p.attributes.iter().fold(0, |m, a| m | a.bit()),
            language_primary: p.language.split('-').next().unwrap_or_default().to_owned(),
            region_key: place.region.as_deref().map(text::place_key),
            city_key: place.city.as_deref().map(text::place_key),
            search_text: text::search_text(
                [
                    Some(p.name.as_str()),
                    Some(p.description.as_str()),
                    place.region.as_deref(),
                    place.city.as_deref(),
                ]
                .into_iter()
                .flatten(),
            ),
        }
    }
}
