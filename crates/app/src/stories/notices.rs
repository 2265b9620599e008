//! Mail about stories: to the moderators when one waits for review, to the
//! author when a moderator decided. One mail per person; each is a
//! [`Tell`] the store writes with the change it reports.

use kith_domain::ids::AccountId;
use kith_store::mail::Audience;
use kith_store::stories::StoryRecord;

use crate::mail::Tell;
use crate::mail::kinds::{StoryDecided, StoryWaiting};
use crate::site_url::SiteUrl;
use crate::{App, AppResult};

/// Tells every moderator and admin but the author that a story waits.
pub(super) async fn story_waiting(
    app: &App,
    author: AccountId,
) -> AppResult<Tell<'_, (), StoryWaiting>> {
    let site = app.site_url();
    let staff = app.store().staff_accounts().await?;
    let audience = Audience::Accounts(staff.into_iter().filter(|a| *a != author).collect());
    let mail = StoryWaiting {
        queue_url: site.link("/moderation#stories-title"),
    };
    Ok(Tell::fixed(site, audience, mail))
}

/// Tells the author what a moderator decided.
pub(super) fn story_decided<'a>(
    site: &'a SiteUrl,
    story: &StoryRecord,
    title: String,
    published: bool,
    revision: bool,
    note: Option<String>,
) -> Tell<'a, (), StoryDecided> {
    let mail = StoryDecided {
        title,
        published,
        revision,
        note,
        story_url: site.link(&format!("/stories/{}", story.public_id)),
        my_stories_url: site.link("/me/stories"),
    };
    Tell::fixed(site, Audience::Accounts(vec![story.author_id]), mail)
}
