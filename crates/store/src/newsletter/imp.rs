//! The one implementation of [`NewsletterStore`], for both backends. A
//! signup finds its address with `INSERT … ON CONFLICT DO NOTHING`, so two
//! signups of one new address at once make one row; every mail is written
//! in the transaction of the change that causes it.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use kith_domain::account::Email;
use kith_domain::newsletter::ConsentSource;

use super::{
    ACCOUNT_ADDRESS, ACCOUNT_SUBSCRIBER, ADD_INTEREST, ADOPT, AddressUnverified, CLEAR_INTERESTS,
    CONFIRM, COUNT_UNSUBSCRIBE, ConfirmLinks, Confirmed, DELETE_SUBSCRIBER, DOWNLOAD,
    DROP_OTHER_ROW, DownloadOffer, EXTEND_PENDING, FORM, FORM_BY_ID, INSERT_SUBSCRIBER,
    INSERT_TOKEN, INTERESTS, Interest, LinkMail, LinkRefusal, MEMBER_FORM, NewSubscription,
    NewsletterStore, PRUNE_PENDING, PRUNE_TOKENS, PrunedSubscribers, RECENT_TOKENS, RENEW_PENDING,
    SUBSCRIBER, SUBSCRIBER_BY_EMAIL, SUBSCRIBER_EMAIL, SUBSCRIBER_INTERESTS, SUPPRESS, SUPPRESSED,
    SignupForm, SignupMails, SignupOutcome, Subscription, TOKEN, UNSUPPRESS, USE_CONFIRMATIONS,
    email_hash,
};
use crate::db::{Tx, query};
use crate::mail::{Recipient, insert_mail};
use crate::model::AccountId;
use crate::resources::{FileMeta, StoredFile};
use crate::sql_store::SqlStore;
use crate::{StoreError, StoreResult};

/// At most one mail to an address per this long, however often it is
/// signed up.
const MAIL_GAP: SignedDuration = SignedDuration::from_mins(10);

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    placement: String,
    shown: bool,
    version: i64,
    heading: String,
    intro: String,
    consent: String,
    resource_id: Option<i64>,
    resource_title: Option<String>,
    file_name: Option<String>,
}

impl From<FormRow> for SignupForm {
    fn from(row: FormRow) -> Self {
        let download = match (row.resource_id, row.resource_title, row.file_name) {
            (Some(resource_id), Some(title), Some(file_name)) => Some(DownloadOffer {
                resource_id,
                title,
                file_name,
            }),
            _ => None,
        };
        Self {
            id: row.id,
            placement: row.placement,
            shown: row.shown,
            version: row.version,
            heading: row.heading,
            intro: row.intro,
            consent: row.consent,
            download,
        }
    }
}

/// A link as stored.
#[derive(sqlx::FromRow)]
struct TokenRow {
    subscriber_id: i64,
    letter_id: Option<i64>,
    expires_at: i64,
    used_at: Option<i64>,
}

/// The link of `purpose` with this hash, if it works now.
async fn live_token(
    tx: &mut Tx,
    token_hash: &str,
    purpose: &str,
    now: Timestamp,
) -> StoreResult<Result<TokenRow, LinkRefusal>> {
    let row: Option<TokenRow> = query(TOKEN)
        .bind(token_hash)
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(match row {
        None => Err(LinkRefusal::Unknown),
        Some(row) if row.used_at.is_some() => Err(LinkRefusal::Used),
        Some(row) if row.expires_at <= now.as_second() => Err(LinkRefusal::Expired),
        Some(row) => Ok(row),
    })
}

/// Replaces a subscriber's interests offered now by `codes`.
async fn set_interests(tx: &mut Tx, subscriber: i64, codes: &[String]) -> StoreResult<()> {
    query(CLEAR_INTERESTS)
        .bind(subscriber)
        .execute(&mut *tx)
        .await?;
    for code in codes {
        query(ADD_INTEREST)
            .bind(subscriber)
            .bind(code.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Whether a link of `purpose` (not a letter's) went to `subscriber`
/// within [`MAIL_GAP`].
async fn mailed_lately(
    tx: &mut Tx,
    subscriber: i64,
    purpose: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let since = now.saturating_sub(MAIL_GAP).unwrap_or(now);
    let recent: i64 = query(RECENT_TOKENS)
        .bind(subscriber)
        .bind(purpose)
        .bind(since)
        .scalar(&mut *tx)
        .await?;
    Ok(recent > 0)
}

async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    subscriber: i64,
    purpose: &str,
    resource: Option<i64>,
    now: Timestamp,
    expires_at: Timestamp,
) -> StoreResult<()> {
    query(INSERT_TOKEN)
        .bind(token_hash)
        .bind(subscriber)
        .bind(purpose)
        .bind(resource)
        .bind(now)
        .bind(expires_at)
        .execute(tx)
        .await?;
    Ok(())
}

/// Writes a link of `purpose` for `subscriber` and the mail that carries
/// it to their address.
async fn write_link_mail(
    tx: &mut Tx,
    link: &LinkMail<'_>,
    subscriber: i64,
    purpose: &str,
    email: &Email,
    now: Timestamp,
) -> StoreResult<()> {
    insert_token(
        tx,
        link.token_hash,
        subscriber,
        purpose,
        None,
        now,
        link.expires_at,
    )
    .await?;
    insert_mail(tx, &link.mail.to(Recipient::Address(email), now), now).await?;
    Ok(())
}

/// A subscriber's name, state and interests.
async fn subscription(tx: &mut Tx, subscriber: i64) -> StoreResult<Subscription> {
    let (first_name, confirmed_at): (Option<String>, Option<i64>) = query(SUBSCRIBER)
        .bind(subscriber)
        .fetch_one(&mut *tx)
        .await?;
    let interests: Vec<String> = query(SUBSCRIBER_INTERESTS)
        .bind(subscriber)
        .scalars(&mut *tx)
        .await?;
    Ok(Subscription {
        first_name,
        confirmed: confirmed_at.is_some(),
        interests,
    })
}

/// Suppresses a subscriber's address and deletes them.
async fn unsubscribe(tx: &mut Tx, subscriber: i64, now: Timestamp) -> StoreResult<()> {
    let email: String = query(SUBSCRIBER_EMAIL)
        .bind(subscriber)
        .scalar(&mut *tx)
        .await?;
    query(SUPPRESS)
        .bind(email_hash(&email))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    query(DELETE_SUBSCRIBER)
        .bind(subscriber)
        .execute_or_not_found(tx)
        .await
}

#[async_trait]
impl NewsletterStore for SqlStore {
    async fn newsletter_form(&self, placement: &str) -> StoreResult<SignupForm> {
        let row: FormRow = query(FORM).bind(placement).fetch_one(self.db()).await?;
        Ok(row.into())
    }

    async fn newsletter_interests(&self) -> StoreResult<Vec<Interest>> {
        let rows: Vec<(i64, String, String)> = query(INTERESTS).fetch_all(self.db()).await?;
        Ok(rows
            .into_iter()
            .map(|(id, code, label)| Interest { id, code, label })
            .collect())
    }

    async fn subscribe(
        &self,
        signup: &NewSubscription<'_>,
        mails: &SignupMails<'_>,
        now: Timestamp,
    ) -> StoreResult<SignupOutcome> {
        let mut tx = self.db().begin().await?;
        let form: FormRow = query(FORM)
            .bind(signup.placement)
            .fetch_one(&mut tx)
            .await?;
        let source = signup.source.code();
        let created: Option<i64> = query(INSERT_SUBSCRIBER)
            .bind(signup.email.as_str())
            .bind(signup.first_name)
            .bind(None::<i64>)
            .bind(now)
            .bind(None::<Timestamp>)
            .bind(mails.confirm.expires_at)
            .bind(source)
            .bind(form.id)
            .bind(form.version)
            .scalar_optional(&mut tx)
            .await?;
        let outcome = if let Some(subscriber) = created {
            set_interests(&mut tx, subscriber, signup.interests).await?;
            write_link_mail(
                &mut tx,
                &mails.confirm,
                subscriber,
                "confirm",
                signup.email,
                now,
            )
            .await?;
            SignupOutcome::New
        } else {
            let (subscriber, confirmed_at): (i64, Option<i64>) = query(SUBSCRIBER_BY_EMAIL)
                .bind(signup.email.as_str())
                .fetch_one(&mut tx)
                .await?;
            if confirmed_at.is_some() {
                let mailed = !mailed_lately(&mut tx, subscriber, "manage", now).await?;
                if mailed {
                    write_link_mail(
                        &mut tx,
                        &mails.already,
                        subscriber,
                        "manage",
                        signup.email,
                        now,
                    )
                    .await?;
                }
                SignupOutcome::Confirmed { mailed }
            } else {
                query(RENEW_PENDING)
                    .bind(subscriber)
                    .bind(signup.first_name)
                    .bind(now)
                    .bind(source)
                    .bind(form.id)
                    .bind(form.version)
                    .execute(&mut tx)
                    .await?;
                set_interests(&mut tx, subscriber, signup.interests).await?;
                let mailed = !mailed_lately(&mut tx, subscriber, "confirm", now).await?;
                if mailed {
                    query(EXTEND_PENDING)
                        .bind(subscriber)
                        .bind(mails.confirm.expires_at)
                        .execute(&mut tx)
                        .await?;
                    write_link_mail(
                        &mut tx,
                        &mails.confirm,
                        subscriber,
                        "confirm",
                        signup.email,
                        now,
                    )
                    .await?;
                }
                SignupOutcome::Pending { mailed }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn newsletter_link(
        &self,
        token_hash: &str,
        purpose: &str,
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>> {
        let mut tx = self.db().begin().await?;
        let live = live_token(&mut tx, token_hash, purpose, now).await?;
        tx.commit().await?;
        Ok(live.map(|_| ()))
    }

    async fn confirm_subscription(
        &self,
        token_hash: &str,
        links: &ConfirmLinks<'_>,
        now: Timestamp,
    ) -> StoreResult<Result<Confirmed, LinkRefusal>> {
        let mut tx = self.db().begin().await?;
        let token = match live_token(&mut tx, token_hash, "confirm", now).await? {
            Ok(token) => token,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let subscriber = token.subscriber_id;
        query(USE_CONFIRMATIONS)
            .bind(subscriber)
            .bind(now)
            .execute(&mut tx)
            .await?;
        let (email, form_id): (String, Option<i64>) = query(CONFIRM)
            .bind(subscriber)
            .bind(now)
            .fetch_one(&mut tx)
            .await?;
        query(UNSUPPRESS)
            .bind(email_hash(&email))
            .execute(&mut tx)
            .await?;
        let download = match form_id {
            Some(form) => {
                let row: Option<FormRow> =
                    query(FORM_BY_ID).bind(form).fetch_optional(&mut tx).await?;
                row.and_then(|row| SignupForm::from(row).download)
            }
            None => None,
        };
        if let Some(offer) = &download {
            insert_token(
                &mut tx,
                links.download_hash,
                subscriber,
                "download",
                Some(offer.resource_id),
                now,
                links.download_until,
            )
            .await?;
        }
        insert_token(
            &mut tx,
            links.manage_hash,
            subscriber,
            "manage",
            None,
            now,
            links.manage_until,
        )
        .await?;
        let welcome = (links.welcome)(download.as_ref()).map_err(StoreError::Other)?;
        let email = Email::from_trusted(email);
        insert_mail(&mut tx, &welcome.to(Recipient::Address(&email), now), now).await?;
        tx.commit().await?;
        Ok(Ok(Confirmed { download }))
    }

    async fn newsletter_download(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<StoredFile, LinkRefusal>> {
        type Row = (i64, String, String, i64, String, Vec<u8>);
        let row: Option<Row> = query(DOWNLOAD)
            .bind(token_hash)
            .fetch_optional(self.db())
            .await?;
        Ok(match row {
            None => Err(LinkRefusal::Unknown),
            Some((expires_at, ..)) if expires_at <= now.as_second() => Err(LinkRefusal::Expired),
            Some((_, name, content_type, size, sha256, data)) => Ok(StoredFile {
                meta: FileMeta {
                    name,
                    content_type,
                    size,
                    sha256,
                },
                data,
                published: true,
            }),
        })
    }

    async fn subscription_by_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<Subscription, LinkRefusal>> {
        let mut tx = self.db().begin().await?;
        let found = match live_token(&mut tx, token_hash, "manage", now).await? {
            Ok(token) => Ok(subscription(&mut tx, token.subscriber_id).await?),
            Err(refusal) => Err(refusal),
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn set_interests_by_link(
        &self,
        token_hash: &str,
        interests: &[String],
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>> {
        let mut tx = self.db().begin().await?;
        let token = match live_token(&mut tx, token_hash, "manage", now).await? {
            Ok(token) => token,
            Err(refusal) => return Ok(Err(refusal)),
        };
        set_interests(&mut tx, token.subscriber_id, interests).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn unsubscribe_by_link(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Result<(), LinkRefusal>> {
        let mut tx = self.db().begin().await?;
        let token = match live_token(&mut tx, token_hash, "manage", now).await? {
            Ok(token) => token,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if let Some(letter) = token.letter_id {
            query(COUNT_UNSUBSCRIBE)
                .bind(letter)
                .execute(&mut tx)
                .await?;
        }
        unsubscribe(&mut tx, token.subscriber_id, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn account_subscription(&self, account: AccountId) -> StoreResult<Option<Subscription>> {
        let mut tx = self.db().begin().await?;
        let row: Option<i64> = query(ACCOUNT_SUBSCRIBER)
            .bind(account.0)
            .scalar_optional(&mut tx)
            .await?;
        let found = match row {
            Some(subscriber) => Some(subscription(&mut tx, subscriber).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn subscribe_account(
        &self,
        account: AccountId,
        interests: &[String],
        now: Timestamp,
    ) -> StoreResult<Result<Subscription, AddressUnverified>> {
        let mut tx = self.db().begin().await?;
        let (email, verified_at): (Option<String>, Option<i64>) = query(ACCOUNT_ADDRESS)
            .bind(account.0)
            .fetch_one(&mut tx)
            .await?;
        let (Some(email), Some(_)) = (email, verified_at) else {
            return Ok(Err(AddressUnverified));
        };
        let source = ConsentSource::Account.code();
        let (form, version): (i64, i64) = query(MEMBER_FORM).fetch_one(&mut tx).await?;
        let existing: Option<i64> = query(ACCOUNT_SUBSCRIBER)
            .bind(account.0)
            .scalar_optional(&mut tx)
            .await?;
        let subscriber = if let Some(subscriber) = existing {
            // The row follows the account's address; another row of that
            // address (a form's signup) gives way to it.
            query(DROP_OTHER_ROW)
                .bind(email.as_str())
                .bind(subscriber)
                .execute(&mut tx)
                .await?;
            query(ADOPT)
                .bind(subscriber)
                .bind(account.0)
                .bind(email.as_str())
                .bind(now)
                .bind(source)
                .bind(form)
                .bind(version)
                .execute(&mut tx)
                .await?;
            subscriber
        } else {
            query(INSERT_SUBSCRIBER)
                .bind(email.as_str())
                .bind(None::<&str>)
                .bind(account.0)
                .bind(now)
                .bind(now)
                .bind(None::<Timestamp>)
                .bind(source)
                .bind(form)
                .bind(version)
                .scalar(&mut tx)
                .await?
        };
        set_interests(&mut tx, subscriber, interests).await?;
        query(UNSUPPRESS)
            .bind(email_hash(&email))
            .execute(&mut tx)
            .await?;
        let found = subscription(&mut tx, subscriber).await?;
        tx.commit().await?;
        Ok(Ok(found))
    }

    async fn unsubscribe_account(&self, account: AccountId, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.db().begin().await?;
        let row: Option<i64> = query(ACCOUNT_SUBSCRIBER)
            .bind(account.0)
            .scalar_optional(&mut tx)
            .await?;
        let Some(subscriber) = row else {
            return Ok(false);
        };
        unsubscribe(&mut tx, subscriber, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn newsletter_suppressed(&self, email: &Email) -> StoreResult<bool> {
        let count: i64 = query(SUPPRESSED)
            .bind(email_hash(email.as_str()))
            .scalar(self.db())
            .await?;
        Ok(count > 0)
    }

    async fn prune_subscribers(&self, now: Timestamp) -> StoreResult<PrunedSubscribers> {
        let mut tx = self.db().begin().await?;
        let subscribers = query(PRUNE_PENDING).bind(now).execute(&mut tx).await?;
        let tokens = query(PRUNE_TOKENS).bind(now).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(PrunedSubscribers {
            subscribers,
            tokens,
        })
    }
}

#[cfg(test)]
mod tests;
