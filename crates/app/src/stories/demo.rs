//! The demo's stories (`demo.json`): a few published stories in the seed's
//! voice, one of them anonymous, so `kith serve --demo` shows some. Their
//! authors are demo accounts without an address, like the demo hosts.

use jiff::{SignedDuration, Timestamp};
use kith_domain::ids::StoryId;
use kith_domain::story::{StoryInput, StoryStatus};
use kith_store::mail::NoMail;
use serde::Deserialize;

use crate::{App, AppError, AppResult};

const DEMO_STORIES: &str = include_str!("demo.json");

#[derive(Debug, Deserialize)]
struct DemoStory {
    author: String,
    anonymous: bool,
    days_ago: i64,
    title: String,
    body: String,
}

/// Publishes the demo stories, each dated `days_ago` before `now`;
/// answers how many.
pub async fn seed(app: &App, now: Timestamp) -> AppResult<usize> {
    let stories: Vec<DemoStory> = serde_json::from_str(DEMO_STORIES).map_err(AppError::internal)?;
    let store = app.store();
    for story in &stories {
        let input = StoryInput {
            title: story.title.clone(),
            body: story.body.clone(),
            anonymous: story.anonymous,
        };
        let text = input
            .parse()
            .map_err(|e| AppError::internal(format!("demo story {:?}: {e:?}", story.title)))?;
        let author = store.ensure_account(&story.author, now).await?;
        let at = now - SignedDuration::from_hours(24 * story.days_ago);
        store
            .create_story(
                &StoryId::random(),
                author,
                &text,
                StoryStatus::Published,
                &NoMail,
                at,
            )
            .await?;
    }
    Ok(stories.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_story_is_a_valid_story_and_one_is_anonymous() {
        let stories: Vec<DemoStory> = serde_json::from_str(DEMO_STORIES).expect("json");
        assert!(stories.len() >= 2);
        assert_eq!(stories.iter().filter(|s| s.anonymous).count(), 1);
        for story in &stories {
            let input = StoryInput {
                title: story.title.clone(),
                body: story.body.clone(),
                anonymous: story.anonymous,
            };
            assert!(input.parse().is_ok(), "{}", story.title);
        }
    }
}
