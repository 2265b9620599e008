//! One kind of mail to an audience, handed to the store method that makes
//! the change it reports: the store writes it in the change's transaction,
//! once the outcome is known, to each addressee who has an address.

use kith_domain::ids::AccountId;
use kith_domain::zone::Zone;
use kith_store::mail::notices::ComposeError;
use kith_store::mail::{Addressee, Audience, MailDraft, Notices};

use super::{MailKind, compose};
use crate::site_url::SiteUrl;

type AudienceOf<'a, T> = Box<dyn Fn(&T) -> Audience + Send + Sync + 'a>;
type MailOf<'a, T, K> = Box<dyn Fn(&T, AccountId, Option<&Zone>) -> Option<K> + Send + Sync + 'a>;

/// Mail of kind `K` about a change with outcome `T`: who hears of an
/// outcome, and the mail for one of them, in their zone (`None`: nothing
/// to say). Optional mail goes only to those who want it.
pub(crate) struct Tell<'a, T: ?Sized, K> {
    site: &'a SiteUrl,
    audience: AudienceOf<'a, T>,
    mail: MailOf<'a, T, K>,
}

impl<'a, T: ?Sized, K: MailKind + Clone + Send + Sync + 'a> Tell<'a, T, K> {
    /// The same mail to `audience`, whatever the outcome.
    pub(crate) fn fixed(site: &'a SiteUrl, audience: Audience, mail: K) -> Self {
        Self {
            site,
            audience: Box::new(move |_| audience.clone()),
            mail: Box::new(move |_, _, _| Some(mail.clone())),
        }
    }
}

impl<'a, T: ?Sized, K: MailKind> Tell<'a, T, K> {
    /// Mail that depends on the outcome or the reader's zone.
    pub(crate) fn new(
        site: &'a SiteUrl,
        audience: impl Fn(&T) -> Audience + Send + Sync + 'a,
        mail: impl Fn(&T, AccountId, Option<&Zone>) -> Option<K> + Send + Sync + 'a,
    ) -> Self {
        Self {
            site,
            audience: Box::new(audience),
            mail: Box::new(mail),
        }
    }
}

impl<T: ?Sized, K: MailKind> Notices<T> for Tell<'_, T, K> {
    fn audience(&self, outcome: &T) -> Audience {
        (self.audience)(outcome)
    }

    fn mail_for(&self, outcome: &T, to: &Addressee) -> Result<Option<MailDraft>, ComposeError> {
        if !K::wanted(&to.preferences) {
            return Ok(None);
        }
        let zone = to.time_zone.as_deref().and_then(|z| Zone::parse(z).ok());
        let Some(mail) = (self.mail)(outcome, to.account, zone.as_ref()) else {
            return Ok(None);
        };
        Ok(Some(compose(self.site, &mail, &to.preferences)?))
    }
}
