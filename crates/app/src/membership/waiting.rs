//! What a person waiting on hosts may read meanwhile: how long this
//! group's hosts usually take, groups open to anyone that meet soon, and —
//! for someone a group could not take in — similar groups to try. Only what
//! the directory shows anyone: listed groups and their public fields.

use jiff::{SignedDuration, Timestamp};
use kith_domain::answer_time::{RECENT_ANSWERS, UsualAnswer, usual_answer};
use kith_domain::directory::{MAX_STARTS_WITHIN_MINUTES, RawFilters};
use kith_domain::ids::Slug;
use kith_domain::membership::JoinPolicy;
use kith_domain::zone::Zone;
use kith_store::{Store, StoreError};

use crate::AppResult;
use crate::directory::{DirectoryCache, DirectoryResult, search};

/// How many other groups a page suggests.
pub const SUGGESTIONS: usize = 3;

/// How long the hosts of `slug` usually take to answer, from their latest
/// answers; `None` while there are too few to say.
pub async fn usual_wait(store: &dyn Store, slug: &Slug) -> AppResult<Option<UsualAnswer>> {
    let waits: Vec<SignedDuration> = store
        .answer_waits(slug, RECENT_ANSWERS)
        .await?
        .into_iter()
        .map(SignedDuration::from_secs)
        .collect();
    Ok(usual_answer(&waits))
}

/// Listed groups one may join at once — open to anyone, and letting people
/// in without the hosts' answer — that meet within the week, soonest
/// first, leaving out `except`.
pub async fn open_now(
    store: &dyn Store,
    cache: &DirectoryCache,
    zone: &Zone,
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let within = MAX_STARTS_WITHIN_MINUTES.to_string();
    let pairs = [("attribute", "open"), ("starts_within", within.as_str())];
    let mut open = Vec::new();
    for result in candidates(store, cache, zone, &pairs, except, now).await? {
        let policy = match store.listed_group(&result.hit.slug).await {
            Ok(profile) => profile.join.policy,
            // Unlisted since the search: not a suggestion.
            Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        if policy == JoinPolicy::Open {
            open.push(result);
        }
        if open.len() == SUGGESTIONS {
            break;
        }
    }
    Ok(open)
}

/// Other listed groups with the focus of `slug` (any group when it is not
/// listed), soonest first, leaving out `except`.
pub async fn similar_groups(
    store: &dyn Store,
    cache: &DirectoryCache,
    slug: &Slug,
    zone: &Zone,
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let focus = match store.listed_group(slug).await {
        Ok(profile) => profile.focus,
        Err(StoreError::NotFound) => Vec::new(),
        Err(other) => return Err(other.into()),
    };
    let pairs: Vec<(&str, &str)> = focus.iter().map(|f| ("focus", f.code())).collect();
    let mut found = suggest(store, cache, zone, &pairs, except, now).await?;
    if found.is_empty() && !pairs.is_empty() {
        found = suggest(store, cache, zone, &[], except, now).await?;
    }
    Ok(found)
}

async fn suggest(
    store: &dyn Store,
    cache: &DirectoryCache,
    zone: &Zone,
    pairs: &[(&str, &str)],
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    let mut found = candidates(store, cache, zone, pairs, except, now).await?;
    found.truncate(SUGGESTIONS);
    Ok(found)
}

/// The directory's first page for `pairs`, without `except`.
async fn candidates(
    store: &dyn Store,
    cache: &DirectoryCache,
    zone: &Zone,
    pairs: &[(&str, &str)],
    except: &[Slug],
    now: Timestamp,
) -> AppResult<Vec<DirectoryResult>> {
    // Every pair is one of ours: a refusal would be a bug, so it suggests
    // nothing rather than failing the page.
    let Ok(filters) = RawFilters::from_pairs(pairs.iter().copied()).parse(zone) else {
        return Ok(Vec::new());
    };
    let page = search(store, cache, &filters, now).await?;
    Ok(page
        .results
        .into_iter()
        .filter(|r| !except.contains(&r.hit.slug))
        .collect())
}
