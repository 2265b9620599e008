//! Rate limits on logging in, registering, sending mail and visitors'
//! reports, keyed by the client's address
//! and by the account named, and the client's address itself: the socket's
//! peer, unless that peer is a trusted proxy (`KITH_TRUSTED_PROXIES`), in
//! which case the nearest untrusted hop of `X-Forwarded-For`.
//!
//! Logins have two limits: one per address and minute, and one per account
//! and hour — one allowance whether the account is named by handle or by
//! email. A browser that proves with a device cookie ([`devices`]) that it
//! logged in to the account before has an hourly allowance of its own, so
//! guessers cannot lock the owner out.

pub mod devices;

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use kith_app::AccountId;

use self::devices::DeviceKey;

/// How many attempts are allowed.
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    /// Login attempts per client address per minute.
    pub login_per_ip_per_minute: u32,
    /// Login attempts per account per hour from browsers it never logged
    /// in with, all together; and again for each browser it did.
    pub login_per_account_per_hour: u32,
    /// Registrations per client address per hour.
    pub register_per_ip_per_hour: u32,
    /// Requests to join, thread messages and check-ins shared into rooms
    /// per account per hour.
    pub membership_per_account_per_hour: u32,
    /// Requests that send mail (verification links, password resets,
    /// email changes) per client address per hour.
    pub mail_per_ip_per_hour: u32,
    /// Requests that send mail per account or address per hour.
    pub mail_per_account_per_hour: u32,
    /// Reports by visitors without an account per client address per hour.
    pub visitor_reports_per_ip_per_hour: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_per_ip_per_minute: 6,
            login_per_account_per_hour: 25,
            register_per_ip_per_hour: 20,
            membership_per_account_per_hour: 60,
            mail_per_ip_per_hour: 20,
            mail_per_account_per_hour: 5,
            visitor_reports_per_ip_per_hour: 10,
        }
    }
}

/// The limiters; in memory, per instance.
pub struct Limits {
    login_ip: DefaultKeyedRateLimiter<IpAddr>,
    login_account: DefaultKeyedRateLimiter<LoginKey>,
    devices: DeviceKey,
    register_ip: DefaultKeyedRateLimiter<IpAddr>,
    membership: DefaultKeyedRateLimiter<i64>,
    mail_ip: DefaultKeyedRateLimiter<IpAddr>,
    mail_account: DefaultKeyedRateLimiter<String>,
    visitor_report_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

/// What a login attempt counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LoginKey {
    /// Every untrusted client of an account.
    Account(i64),
    /// One browser the account logged in with before.
    Device(i64, String),
    /// A login that names no account, as typed.
    Unknown(String),
}

/// Keys are forgotten once their limit has refilled; beyond this many the
/// limiter prunes them.
const PRUNE_ABOVE: usize = 10_000;

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limits {
    /// Limiters with these settings.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            login_ip: RateLimiter::keyed(Quota::per_minute(at_least_one(
                settings.login_per_ip_per_minute,
            ))),
            login_account: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.login_per_account_per_hour,
            ))),
            register_ip: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.register_per_ip_per_hour,
            ))),
            membership: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.membership_per_account_per_hour,
            ))),
            mail_ip: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.mail_per_ip_per_hour,
            ))),
            mail_account: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.mail_per_account_per_hour,
            ))),
            visitor_report_ip: RateLimiter::keyed(Quota::per_hour(at_least_one(
                settings.visitor_reports_per_ip_per_hour,
            ))),
            devices: DeviceKey::random(),
            clock: DefaultClock::default(),
        }
    }

    /// Counts a login attempt from this address; `Err(seconds)` to wait
    /// when over the limit.
    pub fn login_from(&self, ip: IpAddr) -> Result<(), u64> {
        self.prune();
        self.wait(self.login_ip.check_key(&ip).err())
    }

    /// Counts a login attempt on the account a login names (`None` when it
    /// names none: then the name as typed is the key, so such attempts are
    /// limited alike). `device` is the browser's device cookie: when it
    /// vouches for this account the attempt counts against that browser's
    /// own allowance. `Err(seconds)` to wait when over the limit.
    pub fn login_to(
        &self,
        account: Option<AccountId>,
        login: &str,
        device: Option<&str>,
    ) -> Result<(), u64> {
        self.prune();
        let key = match account {
            None => LoginKey::Unknown(login.trim().to_lowercase()),
            Some(id) => match device.and_then(|d| self.devices.device(d, id)) {
                Some(device) => LoginKey::Device(id.0, device),
                None => LoginKey::Account(id.0),
            },
        };
        self.wait(self.login_account.check_key(&key).err())
    }

    /// A device cookie's value that vouches for this browser and `account`,
    /// given after it proved to be the account's (a login, a reset link).
    pub fn trust_device(&self, account: AccountId) -> String {
        self.devices.issue(account)
    }

    /// Whether `device` already vouches for `account`.
    pub fn trusts(&self, device: Option<&str>, account: AccountId) -> bool {
        device
            .and_then(|d| self.devices.device(d, account))
            .is_some()
    }

    /// Counts a registration; `Err(seconds)` to wait when over the limit.
    pub fn register(&self, ip: IpAddr) -> Result<(), u64> {
        self.prune();
        self.wait(self.register_ip.check_key(&ip).err())
    }

    /// Counts a request to join or a thread message by an account.
    pub fn membership(&self, account: kith_app::AccountId) -> Result<(), u64> {
        self.prune();
        self.wait(self.membership.check_key(&account.0).err())
    }

    /// Counts a request that sends mail, for the client's address and for
    /// `key` (the account or the address written to); `Err(seconds)` to
    /// wait when over a limit.
    pub fn mail(&self, ip: IpAddr, key: &str) -> Result<(), u64> {
        self.prune();
        let key = key.trim().to_lowercase();
        self.wait(self.mail_ip.check_key(&ip).err())?;
        self.wait(self.mail_account.check_key(&key).err())
    }

    /// Counts a report sent by a visitor without an account from this
    /// address; `Err(seconds)` to wait when over the limit.
    pub fn visitor_report(&self, ip: IpAddr) -> Result<(), u64> {
        self.prune();
        self.wait(self.visitor_report_ip.check_key(&ip).err())
    }

    fn wait(
        &self,
        refused: Option<governor::NotUntil<<DefaultClock as Clock>::Instant>>,
    ) -> Result<(), u64> {
        match refused {
            None => Ok(()),
            Some(until) => Err(until.wait_time_from(self.clock.now()).as_secs() + 1),
        }
    }

    fn prune(&self) {
        let keys = self.login_ip.len()
            + self.login_account.len()
            + self.register_ip.len()
            + self.membership.len()
            + self.mail_ip.len()
            + self.mail_account.len()
            + self.visitor_report_ip.len();
        if keys > PRUNE_ABOVE {
            self.login_ip.retain_recent();
            self.login_account.retain_recent();
            self.register_ip.retain_recent();
            self.membership.retain_recent();
            self.mail_ip.retain_recent();
            self.mail_account.retain_recent();
            self.visitor_report_ip.retain_recent();
        }
    }
}

/// The client's address. Without a peer (an in-process test request) it is
/// the unspecified address, so such requests share one limit.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let unspecified = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    let Some(peer) = peer else {
        return unspecified;
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Walk the hops from the nearest: each trusted proxy vouches for the one
    // before it; the first untrusted hop is the client.
    let mut client = peer;
    for hop in forwarded_for.into_iter().flat_map(|v| v.rsplit(',')) {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_socket_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let spoofed = Some("1.2.3.4");
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), spoofed, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.2")),
                Some("1.2.3.4, 198.51.100.7, 10.0.0.3"),
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), None, &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), Some("garbage"), &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn logins_are_limited_per_address() {
        let limits = Limits::new(LimitSettings::default());
        let a = ip("203.0.113.1");
        for _ in 0..6 {
            assert!(limits.login_from(a).is_ok());
        }
        let wait = limits.login_from(a).expect_err("seventh in a minute");
        assert!((1..=61).contains(&wait), "{wait}");
        assert!(limits.login_from(ip("198.51.100.1")).is_ok());
    }

    #[test]
    fn an_account_has_one_allowance_for_strangers_and_one_per_trusted_browser() {
        let limits = Limits::new(LimitSettings::default());
        let river = Some(AccountId(1));
        let trusted = limits.trust_device(AccountId(1));
        let elsewhere = limits.trust_device(AccountId(2));
        for n in 0..25 {
            // However it is named, and with another account's cookie.
            let login = if n % 2 == 0 {
                "river"
            } else {
                "river@example.org"
            };
            assert!(limits.login_to(river, login, Some(&elsewhere)).is_ok());
        }
        let wait = limits
            .login_to(river, "river", None)
            .expect_err("the 26th in an hour");
        assert!((1..=3600).contains(&wait), "{wait}");
        assert!(limits.login_to(river, "river", Some(&trusted)).is_ok());
        assert!(limits.trusts(Some(&trusted), AccountId(1)));
        assert!(!limits.trusts(Some(&elsewhere), AccountId(1)));
        // A login that names no account is limited as typed.
        for _ in 0..25 {
            assert!(limits.login_to(None, "Nobody", None).is_ok());
        }
        assert!(limits.login_to(None, " nobody ", None).is_err());
        assert!(limits.login_to(None, "somebody", None).is_ok());
    }
}
