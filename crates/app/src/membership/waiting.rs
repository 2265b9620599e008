//! What a person waiting on hosts may read meanwhile: how long this
//! group's hosts usually take, groups open to anyone that meet soon, and —
//! for someone a group could not take in — similar groups to try. Only what
//! the directory shows anyone: listed groups and their public fields.

use jiff::{SignedDuration, Timestamp};
use kith_domain::answer_time::{RECENT_ANSWERS, UsualAnswer, usual_answer};
use kith_domain::directory::{MAX_STARTS_WITHIN_MINUTES, RawFilters};
use kith_domain::ids::Slug;
use kith_domain::membership::RequestState;
use kith_domain::zone::Zone;
use kith_store::StoreError;
use kith_store::membership::RequestRecord;

use crate::access::Person;
use crate::directory::{DirectoryResult, search};
use crate::{App, AppResult};

/// How many other groups a page suggests.
pub const SUGGESTIONS: usize = 3;

/// How long the hosts of `slug` usually take to answer, from their latest
/// answers; `None` while there are too few to say.
pub async fn usual_wait(app: &App, slug: &Slug) -> AppResult<Option<UsualAnswer>> {
    let store = app.store();
    let waits: Vec<SignedDuration> = store
        .answer_waits(slug, RECENT_ANSWERS)
        .await?
        .into_iter()
        .map(SignedDuration::from_secs)
        .collect();
    Ok(usual_answer(&waits))
}

/// How long a welcome stays news for [`waiting_on`].
const RECENT: SignedDuration = SignedDuration::from_hours(24);

/// One of a person's requests that is still news, and what they may
/// expect of it.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The request, in the state its person may see.
    pub request: RequestRecord,
    /// For a pending request, how long its hosts usually take.
    pub usual: Option<UsualAnswer>,
}

/// What `person` waits on: requests waiting for the hosts or for a place,
/// and welcomes of the last day; and the slugs of every group they asked,
/// to leave out of suggestions.
pub async fn waiting_on(
    app: &App,
    person: &Person,
    now: Timestamp,
) -> AppResult<(Vec<Waiting>, Vec<Slug>)> {
    let mine = super::my_requests(app, person).await?;
    let asked = mine.iter().map(|r| r.slug.clone()).collect();
    let mut waiting = Vec::new();
    for request in mine {
        let recent = now.duration_since(request.state_changed_at) <= RECENT;
        let usual = match request.state {
            RequestState::Pending => usual_wait(app, &request.slug).await?,
            RequestState::Waitlisted => None,
            RequestState::Approved if recent => None,
            _ => continue,
        };
        waiting.push(Waiting { request, usual });
    }
    Ok((waiting, asked))
}

/// How many directory pages `open_now` reads at most.
const PAGES: u32 = 5;

/// Listed groups one may join at once — open to anyone, and letting people
/// in without the hosts' answer — that meet within the week, soonest
/// first, leaving out `except`.
pub async fn open_now(
    app: &App,
    zone: &Zone,
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let store = app.store();
    let within = MAX_STARTS_WITHIN_MINUTES.to_string();
    let mut open = Vec::new();
    // Most groups read each request, so the first page may hold none.
    for page in 1..=PAGES {
        let number = page.to_string();
        let pairs = [
            ("attribute", "open"),
            ("starts_within", within.as_str()),
            ("page", number.as_str()),
        ];
        let (results, more) = candidates(app, zone, &pairs, except, now).await?;
        let slugs: Vec<Slug> = results.iter().map(|r| r.hit.slug.clone()).collect();
        let at_once = store.open_policy_groups(&slugs).await?;
        open.extend(
            results
                .into_iter()
                .filter(|r| at_once.contains(&r.hit.slug)),
        );
        if open.len() >= SUGGESTIONS || !more {
            break;
        }
    }
    open.truncate(SUGGESTIONS);
    Ok(open)
}

/// Other listed groups with the focus of `slug` (any group when it is not
/// listed), soonest first, leaving out every group `person` asked.
pub async fn similar_groups(
    app: &App,
    person: &Person,
    slug: &Slug,
    zone: &Zone,
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let store = app.store();
    let except: Vec<Slug> = super::my_requests(app, person)
        .await?
        .into_iter()
        .map(|r| r.slug)
        .collect();
    let except = except.as_slice();
    let focus = match store.listed_group(slug).await {
        Ok(profile) => profile.focus,
        Err(StoreError::NotFound) => Vec::new(),
        Err(other) => return Err(other.into()),
    };
    let pairs: Vec<(&str, &str)> = focus.iter().map(|f| ("focus", f.code())).collect();
    let mut found = suggest(app, zone, &pairs, except, now).await?;
    if found.is_empty() && !pairs.is_empty() {
        found = suggest(app, zone, &[], except, now).await?;
    }
    Ok(found)
}

async fn suggest(
    app: &App,
    zone: &Zone,
    pairs: &[(&str, &str)],
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let (mut found, _) = candidates(app, zone, pairs, except, now).await?;
    found.truncate(SUGGESTIONS);
    Ok(found)
}

/// The directory's page for `pairs`, without `except`, and whether more
/// pages follow.
async fn candidates(
    app: &App,
    zone: &Zone,
    pairs: &[(&str, &str)],
    except: &[Slug],
    now: Timestamp,
) -> AppResult<(Vec<DirectoryResult>, bool)> {
    // Every pair is one of ours: a refusal would be a bug, so it suggests
    // nothing rather than failing the page.
    let Ok(filters) = RawFilters::from_pairs(pairs.iter().copied()).parse(zone) else {
        return Ok((Vec::new(), false));
    };
    let page = search(app, &filters, now).await?;
    let more = page.next_page.is_some();
    let results = page
        .results
        .into_iter()
        .filter(|r| !except.contains(&r.hit.slug))
        .collect();
    Ok((results, more))
}
