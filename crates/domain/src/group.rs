//! A group: its public profile, the private details only entitled people may
//! see, and the closed vocabularies (format, focus, attributes, status).
//!
//! Public and private parts are separate types so that code which renders a
//! public answer cannot reach a call link by accident.

use serde::{Deserialize, Serialize};

use crate::ids::Slug;
use crate::schedule::Schedule;

/// Declares a closed vocabulary whose codes are stable (stored, in URLs, in
/// the API) and whose bit positions are stable (stored in masks): append new
/// variants, never reorder.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code used in URLs, the API and the store.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Parses a code; unknown codes are `None`.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The bit this value occupies in a stored mask.
            pub fn bit(self) -> i64 {
                1_i64 << (self as u32)
            }
        }
    };
}

vocabulary! {
    /// How a group meets.
    Format {
        /// A phone bridge.
        Phone = "phone",
        /// A video call.
        Video = "video",
        /// In a room.
        InPerson = "in_person",
        /// In a room, with people joining by call too.
        Hybrid = "hybrid",
    }
}

vocabulary! {
    /// What a group is for; a group may have several.
    Focus {
        /// Tapering or withdrawing from psychiatric drugs.
        Tapering = "tapering",
        /// Staying off after coming off.
        StayingOff = "staying_off",
        /// Considering coming off, someday or not.
        Considering = "considering",
        /// A Hearing Voices group.
        HearingVoices = "hearing_voices",
        /// An Alternatives to Suicide group.
        AlternativesToSuicide = "alternatives_to_suicide",
        /// For family and friends.
        FamilyFriends = "family_friends",
        /// General peer support.
        PeerSupport = "peer_support",
    }
}

vocabulary! {
    /// A group's attributes beyond its focus (DESIGN.md).
    Attribute {
        /// Who may come: anyone, not only people with the group's own
        /// experience — family, friends, the curious (Meeting Guide `O`).
        /// How one gets in is the join policy, a separate choice.
        Open = "open",
        /// Who may come: only people with the group's own experience
        /// (Meeting Guide `C`, "closed"), whatever the join policy.
        MembersOnly = "members_only",
        /// Newcomers especially welcome (Meeting Guide `BE`).
        NewcomerFriendly = "newcomer_friendly",
        /// Women (Meeting Guide `W`).
        Women = "women",
        /// Men (Meeting Guide `M`).
        Men = "men",
        /// LGBTQ+ (Meeting Guide `LGBTQ`).
        Lgbtq = "lgbtq",
        /// Black, Indigenous and people of colour (Meeting Guide `POC`).
        Bipoc = "bipoc",
        /// Young people (Meeting Guide `Y`).
        YoungPeople = "young_people",
        /// Wheelchair accessible (Meeting Guide `X`).
        Wheelchair = "wheelchair",
        /// Captions or an interpreter.
        Captions = "captions",
        /// Cross-talk allowed (Meeting Guide `XT`); absent means not.
        CrossTalk = "cross_talk",
    }
}

vocabulary! {
    /// Whether a listing is visible in the directory.
    ListingStatus {
        /// Waiting for a moderator.
        Pending = "pending",
        /// In the directory.
        Listed = "listed",
        /// Declined by a moderator, with a reason for the host.
        Rejected = "rejected",
        /// Withdrawn from the directory by its host or a moderator.
        Unlisted = "unlisted",
    }
}

vocabulary! {
    /// How a meeting is run.
    FacilitationStyle {
        /// Everyone in turn, with an equal time.
        CheckInRound = "check_in_round",
        /// Raise a hand to speak.
        OpenSharing = "open_sharing",
        /// Each meeting has a topic.
        Topic = "topic",
        /// No set agenda.
        AgendaFree = "agenda_free",
    }
}

/// A set of values of a vocabulary, stored as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mask(pub i64);

impl Mask {
    /// The mask of the given bits.
    pub fn of(bits: impl IntoIterator<Item = i64>) -> Self {
        Self(bits.into_iter().fold(0, |acc, bit| acc | bit))
    }

    /// Whether nothing is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Focus kinds of a stored mask, in declaration order.
pub fn focus_from_mask(mask: Mask) -> Vec<Focus> {
    Focus::ALL
        .iter()
        .copied()
        .filter(|f| mask.0 & f.bit() != 0)
        .collect()
}

/// Attributes of a stored mask, in declaration order.
pub fn attributes_from_mask(mask: Mask) -> Vec<Attribute> {
    Attribute::ALL
        .iter()
        .copied()
        .filter(|a| mask.0 & a.bit() != 0)
        .collect()
}

/// Where a group meets; online groups may have no place.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Place {
    /// ISO 3166-1 alpha-2, uppercase.
    pub country: Option<String>,
    /// A region or state, in the host's words.
    pub region: Option<String>,
    /// A city, in the host's words.
    pub city: Option<String>,
}

/// How a group's meetings run, in the host's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facilitation {
    /// The style.
    pub style: FacilitationStyle,
    /// The host's own description.
    pub description: String,
}

/// Everything about a group that anyone may see once it is listed.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupProfile {
    /// The public identifier.
    pub slug: Slug,
    /// The name.
    pub name: String,
    /// Markdown, sanitised when rendered.
    pub description: String,
    /// The group's agreements, Markdown.
    pub agreements: String,
    /// How meetings run.
    pub facilitation: Facilitation,
    /// What the group is for (at least one).
    pub focus: Vec<Focus>,
    /// Attributes beyond focus.
    pub attributes: Vec<Attribute>,
    /// How it meets.
    pub format: Format,
    /// BCP 47 language tag.
    pub language: String,
    /// Where it meets; never the street address.
    pub place: Place,
    /// The most people a meeting takes, if limited.
    pub capacity: Option<u32>,
    /// When it meets.
    pub schedule: Schedule,
    /// The hosts' pseudonyms.
    pub hosts: Vec<String>,
    /// Listing status.
    pub status: ListingStatus,
    /// For a group imported from another site: its original listing.
    pub source: Option<String>,
    /// How people join, and what members see.
    pub join: crate::membership::JoinSettings,
}

/// The details only a group's hosts and approved members may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrivateDetails {
    /// The video call link.
    pub call_link: Option<String>,
    /// The phone dial-in, with pauses and PIN.
    pub dial_in: Option<String>,
    /// The street address of the room.
    pub street_address: Option<String>,
}

impl PrivateDetails {
    /// The dial-in as a one-tap `tel:` link (RFC 3966, with the pauses
    /// phones understand): `+49 30 1234567,,4242#` becomes
    /// `tel:+49301234567,,4242%23`. Separators are dropped, `p` is a pause
    /// (`,`) and `w` a wait (`;`).
    pub fn dial_in_uri(&self) -> Option<String> {
        let number = self.dial_in.as_deref()?;
        let mut uri = String::from("tel:");
        for c in number.chars() {
            match c {
                '0'..='9' | '+' | ',' | ';' | '*' => uri.push(c),
                'p' | 'P' => uri.push(','),
                'w' | 'W' => uri.push(';'),
                '#' => uri.push_str("%23"),
                _ => {}
            }
        }
        Some(uri)
    }
}

/// A new group as its host describes it, before it has a slug.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// Every public field; `slug` and `status` are set by the store call.
    pub profile: GroupProfile,
    /// The private details.
    pub private: PrivateDetails,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dial_in_becomes_a_one_tap_link_with_its_pauses() {
        let details = |number: &str| PrivateDetails {
            dial_in: Some(number.to_owned()),
            ..PrivateDetails::default()
        };
        assert_eq!(
            details("+49 30 1234567,,4242#").dial_in_uri().as_deref(),
            Some("tel:+49301234567,,4242%23")
        );
        assert_eq!(
            details("+1 (555) 010-9999 p 123 w 456*")
                .dial_in_uri()
                .as_deref(),
            Some("tel:+15550109999,123;456*")
        );
        assert_eq!(PrivateDetails::default().dial_in_uri(), None);
    }

    #[test]
    fn codes_round_trip_and_bits_are_distinct() {
        for f in Focus::ALL {
            assert_eq!(Focus::parse(f.code()), Some(*f));
        }
        let all = Mask::of(Attribute::ALL.iter().map(|a| a.bit()));
        assert_eq!(all.0.count_ones() as usize, Attribute::ALL.len());
        assert_eq!(attributes_from_mask(all), Attribute::ALL);
    }

    #[test]
    fn stored_bit_positions_never_move() {
        // These numbers are in every database; reordering a vocabulary would
        // silently change what stored masks mean.
        assert_eq!(Format::Hybrid.bit(), 1 << 3);
        assert_eq!(Focus::PeerSupport.bit(), 1 << 6);
        assert_eq!(Attribute::CrossTalk.bit(), 1 << 10);
    }
}
